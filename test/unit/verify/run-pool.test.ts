import { describe, expect, it } from 'vitest';
import { runPool } from '../../../src/verify/run-pool.js';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('runPool', () => {
  it('never has more than `concurrency` workers in flight, and keeps the items order', async () => {
    let active = 0;
    let peak = 0;
    const gates = Array.from({ length: 10 }, () => deferred<void>());
    const started: number[] = [];
    const pool = runPool(
      gates.map((_, i) => i),
      async (i) => {
        active += 1;
        peak = Math.max(peak, active);
        started.push(i);
        await gates[i]!.promise;
        active -= 1;
        return i * 10;
      },
      { concurrency: 3 },
    );
    expect(started).toEqual([0, 1, 2]);
    // Release out of order: results must still line up with the items.
    for (const i of [2, 0, 1, 5, 4, 3, 9, 8, 7, 6]) {
      gates[i]!.resolve();
      await Promise.resolve();
    }
    await expect(pool).resolves.toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(peak).toBe(3);
  });

  it('starts no further work after stopAfter says so, and lets work in flight finish', async () => {
    const seen: number[] = [];
    const results = await runPool(
      [1, 2, 3, 4, 5, 6],
      async (n) => {
        seen.push(n);
        return n;
      },
      { concurrency: 1, stopAfter: (n) => n === 3 },
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(results).toEqual([1, 2, 3, undefined, undefined, undefined]);
  });

  it('returns at once on abort, dropping work in flight', async () => {
    const stop = new AbortController();
    const never = deferred<number>();
    const pool = runPool(
      [1, 2, 3],
      (n) => {
        // Item 3 starts only once item 1 has finished: abort there, with item 2 still in flight.
        if (n === 3) stop.abort('SIGINT');
        return n === 1 ? Promise.resolve(1) : never.promise;
      },
      { concurrency: 2, signal: stop.signal },
    );
    expect(await pool).toEqual([1, undefined, undefined]);
  });

  it('runs nothing when the signal is already aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    let calls = 0;
    const results = await runPool([1, 2], async () => ++calls, { concurrency: 2, signal: stop.signal });
    expect(calls).toBe(0);
    expect(results).toEqual([undefined, undefined]);
  });

  it('resolves an empty list to an empty list', async () => {
    await expect(runPool([], async () => 1, { concurrency: 4 })).resolves.toEqual([]);
  });

  it('rejects when a worker throws', async () => {
    await expect(runPool([1], async () => Promise.reject(new Error('boom')), { concurrency: 1 })).rejects.toThrow('boom');
  });
});
