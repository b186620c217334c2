import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeLogFs } from '../../../src/relay/stores/file-store/log-fs.js';
import { LogWriter } from '../../../src/relay/stores/file-store/log-writer.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function openWriter() {
  dir = mkdtempSync(join(tmpdir(), 'whcli-writer-'));
  const file = join(dir, 'log');
  const handle = await nodeLogFs.open(file, 'wx+');
  const writer = new LogWriter(handle, 0, false, async () => {});
  const write = (text: string) =>
    new Promise<number>((resolve, reject) => writer.push({ prepare: () => Buffer.from(text), done: (offset) => resolve(offset), failed: reject }));
  return { file, handle, writer, write };
}

describe('LogWriter', () => {
  it('writes a record pushed just after the one before is done, whatever the microtask it comes in', async () => {
    const { file, handle, writer, write } = await openWriter();
    // Each write is pushed a few microtasks after the one before is done: at some count the drain has
    // found the queue empty but not yet settled.
    for (let n = 0; n < 20; n++) {
      expect(await write(`${n % 10}`)).toBe(n);
      for (let hop = 0; hop < n; hop++) await Promise.resolve();
    }
    await writer.close();
    await handle.close();
    expect(readFileSync(file, 'utf8')).toBe('01234567890123456789');
  });

  it('close waits for what was queued, and refuses what comes after', async () => {
    const { file, handle, writer, write } = await openWriter();
    const pending = [write('a'), write('b'), write('c')];
    await writer.close();
    expect(await Promise.all(pending)).toEqual([0, 1, 2]);
    await expect(write('d')).rejects.toThrow(/closed/);
    await handle.close();
    expect(readFileSync(file, 'utf8')).toBe('abc');
  });
});
