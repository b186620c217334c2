export interface PoolOptions<R> {
  /** Most workers in flight at once. */
  concurrency: number;
  /** Stops the pool at once: results of work in flight are dropped. */
  signal?: AbortSignal;
  /** After a result for which this is true, no further work starts; work in flight finishes. */
  stopAfter?: (result: R) => boolean;
}

/**
 * Runs `worker` over `items` with at most `concurrency` in flight. Results keep the items' order;
 * an item that never ran (stopped or aborted) has `undefined`. A worker that throws rejects the pool.
 */
export function runPool<T, R>(items: readonly T[], worker: (item: T) => Promise<R>, options: PoolOptions<R>): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  return new Promise((resolve, reject) => {
    let next = 0;
    let active = 0;
    let stopped = false;
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(results);
      else reject(error);
    };
    const onAbort = () => settle();
    const launch = () => {
      while (!stopped && active < options.concurrency && next < items.length) {
        const index = next++;
        active += 1;
        worker(items[index]!).then(
          (value) => {
            if (settled) return;
            active -= 1;
            results[index] = value;
            if (options.stopAfter?.(value)) stopped = true;
            launch();
          },
          (error: unknown) => settle(error ?? new Error('worker failed')),
        );
      }
      if (active === 0) settle();
    };
    if (options.signal?.aborted) return settle();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    launch();
  });
}
