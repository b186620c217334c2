import { Redis } from 'ioredis';
import type { DeliveryReport, RelayEvent } from '../protocol.js';
import { ChannelFullError, DEFAULT_LIMITS, type ChannelRecord, type NewEvent, type RelayStore, type StoreLimits } from '../store.js';

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
  expired: 'whcli:expired',
};

// Seq assignment, the limit check, the stream entry and the wake-up are one atomic step, so two
// relays appending to one channel can never interleave out of order.
const APPEND = `
local pending = tonumber(redis.call('GET', KEYS[3]) or '0')
local pbytes = tonumber(redis.call('GET', KEYS[4]) or '0')
if pending >= tonumber(ARGV[3]) or pbytes + string.len(ARGV[2]) > tonumber(ARGV[4]) then return -1 end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], seq .. '-0', 'h', ARGV[1], 'b', ARGV[2])
redis.call('INCR', KEYS[3])
redis.call('INCRBY', KEYS[4], string.len(ARGV[2]))
redis.call('PUBLISH', ARGV[7], ARGV[6])
return seq`;

// Marks one seq acknowledged and advances the contiguous cursor; a repeated ack changes nothing.
const ACK = `
local through = tonumber(redis.call('GET', KEYS[1]) or '0')
local seq = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[5]) or '0')
if seq <= through or seq > last then return 0 end
if redis.call('SADD', KEYS[2], seq) == 0 then return 0 end
redis.call('DECR', KEYS[3])
local entry = redis.call('XRANGE', KEYS[6], seq .. '-0', seq .. '-0')
if entry[1] then redis.call('DECRBY', KEYS[4], string.len(entry[1][2][4])) end
while redis.call('SREM', KEYS[2], through + 1) == 1 do through = through + 1 end
redis.call('SET', KEYS[1], through)
return 1`;

type Commands = Redis & {
  whcliAppend(...args: (string | Buffer | number)[]): Promise<number>;
  whcliAck(...args: (string | number)[]): Promise<number>;
};

/**
 * Channels, events and acknowledgements in Redis, so several relays behind a load balancer share
 * them: each channel's events are a Stream keyed by seq, and a pub/sub message wakes every relay
 * whose listeners need the new event.
 */
export class RedisStore implements RelayStore {
  private readonly redis: Commands;
  private readonly subscriber: Redis;
  private readonly limits: StoreLimits;
  private readonly appendListeners = new Set<(channel: string) => void>();
  private readonly sweepTimer: NodeJS.Timeout;
  private lastError: string | undefined;

  private constructor(url: string, limits: Partial<StoreLimits>) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    const options = { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true };
    this.redis = new Redis(url, options) as Commands;
    this.redis.defineCommand('whcliAppend', { numberOfKeys: 4, lua: APPEND });
    this.redis.defineCommand('whcliAck', { numberOfKeys: 6, lua: ACK });
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
    await this.redis
      .multi()
      .hset(key.channel(channel.id), { tokenHash: channel.tokenHash, createdAt: String(channel.createdAt) })
      .sadd(key.channels, channel.id)
      .exec();
  }

  async getChannel(id: string): Promise<ChannelRecord | undefined> {
    const fields = await this.redis.hgetall(key.channel(id));
    if (!fields.tokenHash) return undefined;
    return { id, tokenHash: fields.tokenHash, createdAt: Number(fields.createdAt) };
  }

  async append(event: NewEvent): Promise<RelayEvent> {
    const { body, ...header } = event;
    const seq = await this.redis.whcliAppend(
      key.seq(event.channel),
      key.stream(event.channel),
      key.pending(event.channel),
      key.pendingBytes(event.channel),
      JSON.stringify(header),
      body,
      this.limits.maxPendingEvents,
      this.limits.maxPendingBytes,
      // Keep acknowledged history up to the pending cap, like the other stores.
      this.limits.maxPendingEvents * 2,
      event.channel,
      NEW_EVENTS,
    );
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
    await this.redis.whcliAck(
      key.acked(channel),
      key.ackSet(channel),
      key.pending(channel),
      key.pendingBytes(channel),
      key.seq(channel),
      key.stream(channel),
      seq,
    );
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

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.appendListeners.clear();
    await Promise.allSettled([this.subscriber.quit(), this.redis.quit()]);
  }

  /** Drops events past retention; unacknowledged ones are acknowledged as expired and counted. */
  private async expire(): Promise<void> {
    const cutoff = Date.now() - this.limits.retentionMs;
    for (const channel of await this.redis.smembers(key.channels)) {
      const oldest = await this.readAfter(channel, 0, 500);
      const stale = oldest.filter((e) => e.receivedAt < cutoff);
      if (stale.length === 0) continue;
      for (const event of stale) {
        const changed = await this.redis.whcliAck(key.acked(channel), key.ackSet(channel), key.pending(channel), key.pendingBytes(channel), key.seq(channel), key.stream(channel), event.seq);
        if (changed) await this.redis.incr(key.expired);
      }
      await this.redis.xtrim(key.stream(channel), 'MINID', `${stale[stale.length - 1]!.seq + 1}-0`);
    }
  }
}
