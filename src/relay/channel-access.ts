import { CHANNEL_NAME, findKey, namedChannelId, namedChannelToken, type AccessKeyRecord } from './access-keys.js';
import type { ChannelRecord, RelayStore } from './store.js';
import { hashToken, newChannelId, newToken } from './tokens.js';

/**
 * When the relay asks for an access key. auto: once a key was created in its store (and still
 * after the last one is revoked); required:
 * always (a relay listening beyond loopback); open: never (a private network, said at start).
 */
export type KeyMode = 'auto' | 'required' | 'open';

export interface Refusal {
  status: number;
  message: string;
}

export interface NewChannel {
  id: string;
  token: string;
  name?: string;
}

/** Access keys and channel ownership for one relay; every answer comes from the (shared) store. */
export class ChannelAccess {
  constructor(
    private readonly store: RelayStore,
    readonly mode: KeyMode,
  ) {}

  /** Whether a request must present a key right now. */
  async keysRequired(): Promise<boolean> {
    if (this.mode === 'open' || !this.store.keys) return false;
    return this.mode === 'required' || (await this.store.keys.inUse());
  }

  /** The key a request presents (Authorization: Bearer whk_…), or why it is refused. */
  async caller(presented: string | undefined): Promise<{ key?: AccessKeyRecord } | Refusal> {
    const keys = this.store.keys ? await this.store.keys.list() : [];
    const key = presented?.startsWith('whk_') ? findKey(keys, presented) : undefined;
    if (key) return { key };
    if (!(await this.keysRequired())) return {};
    return {
      status: 401,
      message: presented ? 'this access key is not valid on this relay (revoked, or never created here)' : 'this relay needs an access key: pass --relay-key or set WHCLI_RELAY_KEY',
    };
  }

  /** A new random channel, or the caller's named one (the same id and token every time). */
  async create(key: AccessKeyRecord | undefined, name: string | undefined): Promise<{ record: ChannelRecord; channel: NewChannel } | Refusal> {
    if (name === undefined) {
      const id = newChannelId();
      const token = newToken();
      return { record: { id, tokenHash: hashToken(token), createdAt: Date.now(), ...(key ? { owner: key.id } : {}) }, channel: { id, token } };
    }
    if (!CHANNEL_NAME.test(name)) return { status: 400, message: `invalid channel name "${name.slice(0, 64)}": use letters, digits, ".", "_" and "-", at most 64` };
    if (!key || !this.store.keys) return { status: 401, message: 'a named channel needs an access key: pass --relay-key or set WHCLI_RELAY_KEY' };
    const secret = await this.store.keys.secret();
    const id = namedChannelId(secret, key.id, name);
    const token = namedChannelToken(secret, id);
    const existing = await this.store.getChannel(id);
    if (existing && existing.owner !== key.id) return { status: 403, message: `channel "${name}" belongs to another access key` };
    return { record: { id, tokenHash: hashToken(token), createdAt: Date.now(), owner: key.id, name }, channel: { id, token, name } };
  }

  /**
   * Whether a listener may attach to an owned channel: its owner's key must still exist (a revoked
   * key's channels are closed to listeners), and a listener presenting another key is refused.
   */
  async mayListen(channel: ChannelRecord, presented: string | undefined): Promise<Refusal | undefined> {
    if (!channel.owner || this.mode === 'open' || !this.store.keys) return undefined;
    const keys = await this.store.keys.list();
    if (!keys.some((k) => k.id === channel.owner)) return { status: 401, message: 'the access key that owns this channel was revoked' };
    const key = presented?.startsWith('whk_') ? findKey(keys, presented) : undefined;
    if (key && key.id !== channel.owner) return { status: 403, message: 'this channel belongs to another access key' };
    return undefined;
  }

  /** Ids of the keys that exist now. */
  async liveKeyIds(): Promise<Set<string> | undefined> {
    if (this.mode === 'open' || !this.store.keys) return undefined;
    return new Set((await this.store.keys.list()).map((k) => k.id));
  }
}
