import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** An access key as the relay keeps it: never the key itself, only its sha256. */
export interface AccessKeyRecord {
  /** Stable handle for `keys revoke` and channel ownership: random, not derived from the key. */
  id: string;
  /** Who holds it, e.g. "alice"; unique per relay. */
  name: string;
  /** sha256 of the key, hex. */
  hash: string;
  /** The key's first characters, so its holder can tell which key a listed one is. */
  prefix: string;
  createdAt: number;
}

/** Where a relay keeps access keys and the secret that derives named channels' ids; shared by every instance of one store. */
export interface AccessKeyStore {
  /** Adds a key; throws KeyNameTakenError when the name is in use. */
  add(record: AccessKeyRecord): Promise<void>;
  list(): Promise<AccessKeyRecord[]>;
  /**
   * Whether a key was ever created here: revoking the last key must not open the relay to anyone,
   * so keys stay required once this is true.
   */
  inUse(): Promise<boolean>;
  /** Removes the key with this id or name, returning it (undefined when none). */
  remove(idOrName: string): Promise<AccessKeyRecord | undefined>;
  /** The relay's secret (created on first use): named channel ids are an HMAC under it. */
  secret(): Promise<Buffer>;
}

export class KeyNameTakenError extends Error {
  override name = 'KeyNameTakenError';
}

export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A new key (256 random bits; shown once) and the record that stands for it. */
export function newAccessKey(name: string, now = Date.now()): { key: string; record: AccessKeyRecord } {
  const key = `whk_${randomBytes(32).toString('base64url')}`;
  return {
    key,
    record: { id: `key_${randomBytes(6).toString('base64url')}`, name, hash: hashKey(key), prefix: key.slice(0, 8), createdAt: now },
  };
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The record a presented key stands for: each stored hash compared in constant time. */
export function findKey(records: readonly AccessKeyRecord[], presented: string): AccessKeyRecord | undefined {
  const hash = Buffer.from(hashKey(presented), 'hex');
  let found: AccessKeyRecord | undefined;
  for (const record of records) {
    const stored = Buffer.from(record.hash, 'hex');
    if (stored.length === hash.length && timingSafeEqual(stored, hash)) found = record;
  }
  return found;
}

/**
 * A named channel's id: stable for one key and name on every machine, unguessable without the
 * relay's secret (a channel URL lets whoever knows it post).
 */
export function namedChannelId(secret: Buffer, keyId: string, name: string): string {
  return `ch_${createHmac('sha256', secret).update(`channel\0${keyId}\0${name}`).digest('base64url').slice(0, 22)}`;
}

/** A named channel's listener token, derived too: a second machine with the same key gets the same one. */
export function namedChannelToken(secret: Buffer, channelId: string): string {
  return `wht_${createHmac('sha256', secret).update(`token\0${channelId}`).digest('base64url')}`;
}

/** A new relay secret. */
export function newRelaySecret(): Buffer {
  return randomBytes(32);
}
