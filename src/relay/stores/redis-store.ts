import { Redis } from 'ioredis';
import type { DeliveryReport, RelayEvent } from '../protocol.js';
import { RedisKeyStore } from './redis-key-store.js';
import { ChannelFullError, DEFAULT_LIMITS, eventBytes, StoreFullError, type ChannelRecord, type NewEvent, type RelayStore, type StoreLimits } from '../store.js';

const NEW_EVENTS = 'whcli:new';

const key = {
  channels: 'whcli:channels',
  channel: (id: string) => `whcli:ch:${id}`,
  seq: (id: string) => `whcli:seq:${id}`,
  stream: (id: string) => `whcli:ev:${id}`,
  acked: (id: string) => `whcli:acked:${id}`,
  ackSet: (id: string) => `whcli:ackset:${id}`,
  pending: (id: string) => `whcli:pending:${id}`,
  pendingBytes: (id: string) => `whcli:pbytes:${id}`,
  /** Bytes of every entry in the channel's stream, acknowledged or not. */
  heldBytes: (id: string) => `whcli:hbytes:${id}`,
  /** Bytes of unacknowledged events over all channels: what maxTotalBytes bounds. */
  totalPending: 'whcli:pbytes-total',
  expired: 'whcli:expired',
  /** Set for a while after `whcli channels rm`, so every relay tells its listeners not to make it again. */
  deleted: (id: string) => `whcli:deleted:${id}`,
};
/** How long a deletion is remembered: far longer than any relay's channel check. */
const DELETED_MARK_SECONDS = 24 * 60 * 60;

/** Every key one channel owns, in the order the scripts below take them. */
const channelKeys = (id: string) => [
  key.acked(id),
  key.ackSet(id),
  key.pending(id),
  key.pendingBytes(id),
  key.seq(id),
  key.stream(id),
  key.heldBytes(id),
  key.totalPending,
  key.channel(id),
];

// An entry's size as stored in its "s" field (entries written before it existed count their body).
const ENTRY_SIZE = `
local function entrySize(fields)
  local body = 0
  for i = 1, #fields, 2 do
    if fields[i] == 's' then return tonumber(fields[i + 1]) end
    if fields[i] == 'b' then body = string.len(fields[i + 1]) end
  end
  return body
end
-- Drops acknowledged entries from the front while the stream holds more than ARGV count or bytes of
-- acknowledged history, or while they are at or below forceThrough.
local function trimAcked(through, maxCount, maxAcked, forceThrough)
  local pbytes = tonumber(redis.call('GET', KEYS[4]) or '0')
  while true do
    local first = redis.call('XRANGE', KEYS[6], '-', '+', 'COUNT', 1)[1]
    if not first then return end
    local seq = tonumber(string.match(first[1], '^(%d+)'))
    if seq > through then return end
    local held = tonumber(redis.call('GET', KEYS[7]) or '0')
    if seq > forceThrough and redis.call('XLEN', KEYS[6]) <= maxCount and held - pbytes <= maxAcked then return end
    redis.call('XDEL', KEYS[6], first[1])
    redis.call('DECRBY', KEYS[7], entrySize(first[2]))
  end
end
`;

// Seq assignment, the limit checks, the stream entry and the wake-up are one atomic step, so two
// relays appending to one channel can never interleave out of order.
// ARGV: header, body, maxPendingEvents, maxPendingBytes, channel, topic, size, maxTotalBytes, now.
const APPEND = `
local pending = tonumber(redis.call('GET', KEYS[3]) or '0')
local pbytes = tonumber(redis.call('GET', KEYS[4]) or '0')
local size = tonumber(ARGV[7])
if pending >= tonumber(ARGV[3]) or pbytes + size > tonumber(ARGV[4]) then return -1 end
if tonumber(redis.call('GET', KEYS[8]) or '0') + size > tonumber(ARGV[8]) then return -2 end
local seq = redis.call('INCR', KEYS[5])
redis.call('XADD', KEYS[6], seq .. '-0', 'h', ARGV[1], 'b', ARGV[2], 's', size)
redis.call('INCR', KEYS[3])
redis.call('INCRBY', KEYS[4], size)
redis.call('INCRBY', KEYS[7], size)
redis.call('INCRBY', KEYS[8], size)
redis.call('HSET', KEYS[9], 'active', ARGV[9])
redis.call('PUBLISH', ARGV[6], ARGV[5])
return seq`;

// Marks one seq acknowledged, advances the contiguous cursor and trims acknowledged history; a
// repeated ack changes nothing. ARGV: seq, maxCount, maxAckedBytes, now, forceThrough.
const ACK = `${ENTRY_SIZE}
local through = tonumber(redis.call('GET', KEYS[1]) or '0')
local seq = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[5]) or '0')
local changed = 0
if seq > through and seq <= last and redis.call('SADD', KEYS[2], seq) == 1 then
  changed = 1
  redis.call('DECR', KEYS[3])
  local entry = redis.call('XRANGE', KEYS[6], seq .. '-0', seq .. '-0')
  if entry[1] then
    local size = entrySize(entry[1][2])
    redis.call('DECRBY', KEYS[4], size)
    redis.call('DECRBY', KEYS[8], size)
  end
  while redis.call('SREM', KEYS[2], through + 1) == 1 do through = through + 1 end
  redis.call('SET', KEYS[1], through)
  if redis.call('EXISTS', KEYS[9]) == 1 then redis.call('HSET', KEYS[9], 'active', ARGV[4]) end
end
trimAcked(through, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5]))
return changed`;

// A new channel unless known, within the channel cap. ARGV: id, tokenHash, createdAt, maxChannels.
const CREATE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local cap = tonumber(ARGV[4])
if cap > 0 and redis.call('SCARD', KEYS[1]) >= cap then return -1 end
redis.call('HSET', KEYS[2], 'tokenHash', ARGV[2], 'createdAt', ARGV[3], 'active', ARGV[3])
redis.call('SADD', KEYS[1], ARGV[1])
return 1`;

// Deletes a channel idle since before ARGV[2] (its pending bytes leave the total). ARGV: id, cutoff.
const DROP_IF_IDLE = `
local active = tonumber(redis.call('HGET', KEYS[9], 'active') or redis.call('HGET', KEYS[9], 'createdAt') or '0')
if active >= tonumber(ARGV[2]) then return 0 end
redis.call('DECRBY', KEYS[8], tonumber(redis.call('GET', KEYS[4]) or '0'))
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[9])
redis.call('SREM', KEYS[10], ARGV[1])
return 1`;

const TOUCH = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'active', ARGV[1]) end return 0`;

/** How long a shutdown waits for Redis to confirm QUIT before dropping the connections. */
const QUIT_TIMEOUT_MS = 2_000;
/** How long /healthz waits for a PING. */
const PING_TIMEOUT_MS = 2_000;

type Commands = Redis & {
  whcliAppend(...args: (string | Buffer | number)[]): Promise<number>;
  whcliAck(...args: (string | number)[]): Promise<number>;
  whcliCreate(...args: (string | number)[]): Promise<number>;
  whcliDropIfIdle(...args: (string | number)[]): Promise<number>;
  whcliTouch(...args: (string | number)[]): Promise<number>;
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Channels, events and acknowledgements in Redis, so several relays behind a load balancer share
 * them: each channel's events are a Stream keyed by seq, and a pub/sub message wakes every relay
 * whose listeners need the new event.
 */
export class RedisStore implements RelayStore {
  private readonly redis: Commands;
  readonly keys: RedisKeyStore;
  private readonly subscriber: Redis;
  private readonly limits: StoreLimits;
  private readonly appendListeners = new Set<(channel: string) => void>();
  private readonly sweepTimer: NodeJS.Timeout;
  private lastError: string | undefined;

  private constructor(url: string, limits: Partial<StoreLimits>) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    const options = { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true };
    this.redis = new Redis(url, options) as Commands;
    this.redis.defineCommand('whcliAppend', { numberOfKeys: 9, lua: APPEND });
    this.redis.defineCommand('whcliAck', { numberOfKeys: 9, lua: ACK });
    this.redis.defineCommand('whcliCreate', { numberOfKeys: 2, lua: CREATE });
    this.redis.defineCommand('whcliDropIfIdle', { numberOfKeys: 10, lua: DROP_IF_IDLE });
    this.redis.defineCommand('whcliTouch', { numberOfKeys: 1, lua: TOUCH });
    this.keys = new RedisKeyStore(this.redis);
    this.subscriber = new Redis(url, options);
    // Connection errors surface through the commands that fail; ioredis reconnects by itself.
    for (const client of [this.redis, this.subscriber]) client.on('error', (error: Error) => (this.lastError = error.message));
    this.subscriber.on('message', (_topic: string, channel: string) => {
      for (const listener of this.appendListeners) listener(channel);
    });
    this.sweepTimer = setInterval(() => void this.expire().catch(() => {}), 60_000);
    this.sweepTimer.unref();
  }

  /** Connects both clients and subscribes to wake-ups; fails fast when Redis is unreachable. */
  static async connect(url: string, limits: Partial<StoreLimits> = {}): Promise<RedisStore> {
    const store = new RedisStore(url, limits);
    try {
      await store.redis.connect();
      await store.subscriber.connect();
      await store.subscriber.subscribe(NEW_EVENTS);
    } catch (error) {
      const reason = store.lastError ?? (error as Error).message;
      store.redis.disconnect();
      store.subscriber.disconnect();
      clearInterval(store.sweepTimer);
      throw new Error(reason);
    }
    return store;
  }

  /** Calls back when any relay on this Redis stores an event. */
  onAppend(listener: (channel: string) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  async createChannel(channel: ChannelRecord): Promise<void> {
    const created = await this.redis.whcliCreate(key.channels, key.channel(channel.id), channel.id, channel.tokenHash, channel.createdAt, this.limits.maxChannels);
    if (created < 0) throw new StoreFullError(`the relay holds its maximum of ${this.limits.maxChannels} channels`);
    // Ownership is written before the channel's id is handed to anyone, so no listener sees it without.
    if (created > 0 && channel.owner) await this.redis.hset(key.channel(channel.id), 'owner', channel.owner, 'name', channel.name ?? '');
  }

  async countChannels(owner: string): Promise<number> {
    return (await this.listChannels(owner)).length;
  }

  async listChannels(owner: string): Promise<ChannelRecord[]> {
    const ids = await this.redis.smembers(key.channels);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(key.channel(id));
    const records: ChannelRecord[] = [];
    ((await pipeline.exec()) ?? []).forEach(([, value], i) => {
      const fields = value as Record<string, string> | null;
      if (fields?.owner !== owner || !fields.tokenHash) return;
      records.push({ id: ids[i]!, tokenHash: fields.tokenHash, createdAt: Number(fields.createdAt), owner, name: fields.name || undefined });
    });
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  async getChannel(id: string): Promise<ChannelRecord | undefined> {
    const fields = await this.redis.hgetall(key.channel(id));
    if (!fields.tokenHash) return undefined;
    return { id, tokenHash: fields.tokenHash, createdAt: Number(fields.createdAt), ...(fields.owner ? { owner: fields.owner, name: fields.name || undefined } : {}) };
  }

  async append(event: NewEvent): Promise<RelayEvent> {
    const { body, ...header } = event;
    const seq = await this.redis.whcliAppend(
      ...channelKeys(event.channel),
      JSON.stringify(header),
      body,
      this.limits.maxPendingEvents,
      this.limits.maxPendingBytes,
      event.channel,
      NEW_EVENTS,
      eventBytes(event),
      this.limits.maxTotalBytes,
      Date.now(),
    );
    if (seq === -2) throw new StoreFullError(`the relay holds its maximum of ${this.limits.maxTotalBytes} bytes of unacknowledged events`);
    if (seq < 0) throw new ChannelFullError(`channel ${event.channel} holds its maximum of unacknowledged events`);
    return { ...event, seq };
  }

  async readAfter(channel: string, afterSeq: number, limit: number): Promise<RelayEvent[]> {
    const entries = await this.redis.xrangeBuffer(key.stream(channel), `(${afterSeq}-0`, '+', 'COUNT', limit);
    return entries.map(([id, fields]) => {
      let header: Omit<RelayEvent, 'body' | 'seq'> | undefined;
      let body: Buffer = Buffer.alloc(0);
      for (let i = 0; i < fields.length; i += 2) {
        const name = fields[i]!.toString();
        if (name === 'h') header = JSON.parse(fields[i + 1]!.toString());
        else if (name === 'b') body = fields[i + 1]!;
      }
      return { ...header!, seq: Number(id.toString().split('-')[0]), body };
    });
  }

  async ack(channel: string, seq: number, _report: DeliveryReport): Promise<void> {
    await this.acknowledge(channel, seq, 0);
  }

  /** Acknowledges `seq` and trims acknowledged history (all of it at or below `forceThrough`). */
  private acknowledge(channel: string, seq: number, forceThrough: number): Promise<number> {
    return this.redis.whcliAck(...channelKeys(channel), seq, this.limits.maxPendingEvents, this.limits.maxAckedBytes, Date.now(), forceThrough);
  }

  async ping(): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`Redis connection is ${this.redis.status}${this.lastError ? ` (${this.lastError})` : ''}`);
    await withTimeout(this.redis.ping(), PING_TIMEOUT_MS, 'Redis PING');
  }

  async touchChannels(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis.pipeline();
    const now = Date.now();
    for (const id of ids) (pipeline as unknown as Commands).whcliTouch(key.channel(id), now);
    await pipeline.exec();
  }

  async expireIdleChannels(idleMs: number): Promise<number> {
    const cutoff = Date.now() - idleMs;
    let removed = 0;
    for (const id of await this.redis.smembers(key.channels)) {
      removed += await this.redis.whcliDropIfIdle(...channelKeys(id), key.channels, id, cutoff);
    }
    return removed;
  }

  async deleteChannel(id: string): Promise<boolean> {
    if (!(await this.redis.exists(key.channel(id)))) return false;
    // Idle since before the end of time: the idle drop, unconditional.
    const dropped = (await this.redis.whcliDropIfIdle(...channelKeys(id), key.channels, id, Number.MAX_SAFE_INTEGER)) === 1;
    if (dropped) await this.redis.set(key.deleted(id), '1', 'EX', DELETED_MARK_SECONDS);
    return dropped;
  }

  async wasDeleted(id: string): Promise<boolean> {
    return (await this.redis.exists(key.deleted(id))) === 1;
  }

  async ackedThrough(channel: string): Promise<number> {
    return Number((await this.redis.get(key.acked(channel))) ?? 0);
  }

  async stats() {
    const ids = await this.redis.smembers(key.channels);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.get(key.pending(id)).xlen(key.stream(id));
    const results = (await pipeline.exec()) ?? [];
    let pendingEvents = 0;
    let storedEvents = 0;
    results.forEach(([, value], i) => {
      if (i % 2 === 0) pendingEvents += Number(value ?? 0);
      else storedEvents += Number(value ?? 0);
    });
    const expired = Number((await this.redis.get(key.expired)) ?? 0);
    return { channels: ids.length, pendingEvents, storedEvents, expired };
  }

  /** Ends within QUIT_TIMEOUT_MS even when Redis is gone: QUIT would wait in the offline queue forever. */
  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.appendListeners.clear();
    await Promise.allSettled(
      [this.subscriber, this.redis].map(async (client) => {
        if (client.status === 'ready') await withTimeout(client.quit(), QUIT_TIMEOUT_MS, 'Redis QUIT').catch(() => {});
        client.disconnect();
      }),
    );
  }

  /** Drops events past retention; unacknowledged ones are acknowledged as expired and counted. */
  private async expire(): Promise<void> {
    const cutoff = Date.now() - this.limits.retentionMs;
    for (const channel of await this.redis.smembers(key.channels)) {
      const oldest = await this.readAfter(channel, 0, 500);
      const stale = oldest.filter((e) => e.receivedAt < cutoff);
      if (stale.length === 0) continue;
      const last = stale[stale.length - 1]!.seq;
      for (const event of stale) {
        const changed = await this.acknowledge(channel, event.seq, last);
        if (changed) await this.redis.incr(key.expired);
      }
    }
  }
}
