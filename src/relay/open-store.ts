import { join } from 'node:path';
import { UsageError, WhcliError } from '../errors.js';
import type { RelayStore, StoreLimits } from './store.js';
import { prepareStoreDir } from './store-dir.js';

export interface StoreChoice {
  store: RelayStore;
  /** What to tell the operator, with no credentials in it. */
  description: string;
}

/** Opens the store a --store value names: memory, file[:<dir>] or redis://host:port/db. */
export async function openStore(
  spec: string,
  options: { defaultDir: string; limits: Partial<StoreLimits>; fsync?: 'always' | 'never'; log?: (line: string) => void },
): Promise<StoreChoice> {
  if (spec === 'memory') {
    const { MemoryStore } = await import('./stores/memory-store.js');
    return { store: new MemoryStore(options.limits), description: 'memory (events are lost when the relay stops)' };
  }
  if (spec === 'file' || spec.startsWith('file:')) {
    const dir = spec === 'file' ? options.defaultDir : spec.slice(5);
    if (!dir) throw new UsageError('--store file:<dir> needs a directory');
    prepareStoreDir(dir, `--store ${spec}`);
    const { FileStore } = await import('./stores/file-store.js');
    const store = await FileStore.open({ dir, limits: options.limits, fsync: options.fsync, log: options.log });
    return { store, description: `file ${join(dir, 'relay.log')} (fsync ${options.fsync ?? 'always'})` };
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const url = new URL(spec);
    const { RedisStore } = await import('./stores/redis-store.js');
    try {
      const store = await RedisStore.connect(spec, options.limits);
      return { store, description: `redis ${url.host}${url.pathname}` };
    } catch (error) {
      throw new WhcliError('WHCLI_ERR_RELAY', `cannot reach Redis at ${url.host}: ${(error as Error).message}`);
    }
  }
  throw new UsageError(`invalid --store "${spec}": use memory, file[:<dir>] or redis://host:port/db`);
}
