import { join } from 'node:path';
import type { Environment } from '../context.js';
import { UsageError, WhcliError } from '../errors.js';
import { whcliPaths } from '../paths.js';
import { KEY_NAME, KeyNameTakenError, newAccessKey, type AccessKeyRecord, type AccessKeyStore } from '../relay/access-keys.js';
import { prepareStoreDir } from '../relay/store-dir.js';

export interface KeysOptions {
  store?: string;
}

/** A key as listed: never the key, never its hash. */
export interface ListedKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
}

const listed = (record: AccessKeyRecord): ListedKey => ({ id: record.id, name: record.name, prefix: `${record.prefix}…`, createdAt: new Date(record.createdAt).toISOString() });

/**
 * The key store of the relay store --store names, opened alone: the file store's keys file is
 * edited beside a running relay without opening its event log.
 */
async function withKeyStore<T>(options: KeysOptions, environment: Environment, work: (keys: AccessKeyStore) => Promise<T>): Promise<T> {
  const spec = options.store ?? environment.env.WHCLI_RELAY_STORE ?? 'file';
  if (spec === 'memory') throw new UsageError('a memory store lives inside one relay process: keys need --store file[:<dir>] or redis://…');
  if (spec === 'file' || spec.startsWith('file:')) {
    const dir = spec === 'file' ? join(whcliPaths(environment).data, 'relay') : spec.slice(5);
    if (!dir) throw new UsageError('--store file:<dir> needs a directory');
    prepareStoreDir(dir, `--store ${spec}`);
    const { KeyFile } = await import('../relay/stores/key-file.js');
    return work(new KeyFile(dir));
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const { RedisStore } = await import('../relay/stores/redis-store.js');
    let store;
    try {
      store = await RedisStore.connect(spec);
    } catch (error) {
      throw new WhcliError('WHCLI_ERR_RELAY', `cannot reach Redis at ${new URL(spec).host}: ${(error as Error).message}`);
    }
    try {
      return await work(store.keys);
    } finally {
      await store.close();
    }
  }
  throw new UsageError(`invalid --store "${spec}": use file[:<dir>] or redis://host:port/db`);
}

/** Creates a key: the key itself is in the result once and nowhere else. */
export async function createKey(name: string, options: KeysOptions, environment: Environment): Promise<ListedKey & { key: string }> {
  if (!KEY_NAME.test(name)) throw new UsageError(`invalid key name "${name}": use letters, digits, ".", "_", "@" and "-", at most 64`);
  const { key, record } = newAccessKey(name);
  await withKeyStore(options, environment, async (keys) => {
    try {
      await keys.add(record);
    } catch (error) {
      if (error instanceof KeyNameTakenError) throw new UsageError(`${error.message}: pick another --name, or revoke it first (whcli relay keys revoke ${name})`);
      throw error;
    }
  });
  return { ...listed(record), key };
}

export async function listKeys(options: KeysOptions, environment: Environment): Promise<ListedKey[]> {
  return withKeyStore(options, environment, async (keys) => (await keys.list()).sort((a, b) => a.createdAt - b.createdAt).map(listed));
}

/** Revokes a key by name or id; its listeners are disconnected by every relay within seconds. */
export async function revokeKey(nameOrId: string, options: KeysOptions, environment: Environment): Promise<ListedKey> {
  const removed = await withKeyStore(options, environment, (keys) => keys.remove(nameOrId));
  if (!removed) throw new WhcliError('WHCLI_ERR_NOT_FOUND', `no access key named or with id "${nameOrId}" (see whcli relay keys list)`);
  return listed(removed);
}
