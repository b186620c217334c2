import type { Redis } from 'ioredis';
import { KeyNameTakenError, newRelaySecret, type AccessKeyRecord, type AccessKeyStore } from '../access-keys.js';

const KEYS = 'whcli:keys';
const KEY_NAMES = 'whcli:keynames';
const SECRET = 'whcli:secret';
/** Set by the first key created: from then on relays on this Redis require keys, even with none left. */
const REQUIRED = 'whcli:keys-required';

/** Keys in Redis, so every relay on it sees a key as soon as it is created or revoked. */
export class RedisKeyStore implements AccessKeyStore {
  constructor(private readonly redis: Redis) {}

  async add(record: AccessKeyRecord): Promise<void> {
    // The name is claimed first and atomically: two operators creating "alice" at once get one key.
    if (!(await this.redis.hsetnx(KEY_NAMES, record.name, record.id))) throw new KeyNameTakenError(`a key named "${record.name}" exists`);
    await this.redis.multi().hset(KEYS, record.id, JSON.stringify(record)).set(REQUIRED, '1').exec();
  }

  async inUse(): Promise<boolean> {
    return (await this.redis.exists(REQUIRED)) === 1;
  }

  async list(): Promise<AccessKeyRecord[]> {
    const all = await this.redis.hvals(KEYS);
    return all.map((text) => JSON.parse(text) as AccessKeyRecord);
  }

  async remove(idOrName: string): Promise<AccessKeyRecord | undefined> {
    const id = (await this.redis.hget(KEY_NAMES, idOrName)) ?? idOrName;
    const text = await this.redis.hget(KEYS, id);
    if (!text) return undefined;
    const record = JSON.parse(text) as AccessKeyRecord;
    await this.redis.multi().hdel(KEYS, id).hdel(KEY_NAMES, record.name).exec();
    return record;
  }

  async secret(): Promise<Buffer> {
    await this.redis.set(SECRET, newRelaySecret().toString('base64'), 'NX');
    return Buffer.from((await this.redis.get(SECRET))!, 'base64');
  }
}
