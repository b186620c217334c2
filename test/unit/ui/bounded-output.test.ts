import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boundedWriter } from '../../../src/ui/bounded-output.js';

/** A stdout whose reader stopped: nothing written is ever taken until `resume()`. */
function stuckStream() {
  const taken: string[] = [];
  let release: (() => void)[] = [];
  let stuck = true;
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      taken.push(chunk.toString());
      if (stuck) release.push(done);
      else done();
    },
  });
  const resume = async () => {
    stuck = false;
    while (release.length) {
      const pending = release;
      release = [];
      for (const done of pending) done();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { stream, taken, resume };
}

describe('boundedWriter', () => {
  it('holds at most the limit for a reader that stopped, then says how many lines it skipped', async () => {
    const { stream, taken, resume } = stuckStream();
    const skipped: number[] = [];
    const write = boundedWriter(stream, (lines) => skipped.push(lines), 100);
    for (let n = 0; n < 1000; n++) write(`line ${String(n).padStart(4, '0')} ${'x'.repeat(20)}\n`);
    // The limit bounds what waits in memory: a few lines past 100 bytes, not 1,000 lines.
    expect(stream.writableLength).toBeLessThanOrEqual(100 + 31);
    expect(skipped).toEqual([]);

    await resume();
    expect(stream.writableLength).toBe(0);
    write('after\n');
    const kept = taken.length;
    expect(skipped).toEqual([1000 - (kept - 1)]);
    expect(taken.at(-1)).toBe('after\n');
    expect(taken[0]).toMatch(/^line 0000 /);
  });

  it('writes everything while the reader keeps up', () => {
    const taken: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _e, done) => (taken.push(chunk.toString()), done()) });
    const skipped: number[] = [];
    const write = boundedWriter(stream, (lines) => skipped.push(lines), 100);
    for (let n = 0; n < 50; n++) write(`${n}\n`);
    expect(taken).toHaveLength(50);
    expect(skipped).toEqual([]);
  });
});
