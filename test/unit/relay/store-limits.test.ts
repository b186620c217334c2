/**
 * The bounds a public relay needs, on every store: acknowledged history kept by bytes, a byte bound
 * over all channels (StoreFullError, answered 503), a cap on channels, and idle channels deleted with
 * everything they hold. Redis runs against a real redis-server of its own, flushed between tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelFullError, eventBytes, StoreFullError, type NewEvent, type RelayStore, type StoreLimits } from '../../../src/relay/store.js';
import { FileStore } from '../../../src/relay/stores/file-store.js';
import { MemoryStore } from '../../../src/relay/stores/memory-store.js';
import { RedisStore } from '../../../src/relay/stores/redis-store.js';
import { redisAvailable, startRedis, type RedisServer } from '../../helpers/redis-server.js';

let redis: RedisServer | undefined;
const hasRedis = redisAvailable();
beforeAll(async () => {
  if (hasRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const BODY = 1024;
function event(channel: string, n: number): NewEvent {
  return { id: `rev_${n}`, channel, receivedAt: Date.now(), method: 'POST', path: '/hooks', query: '', headers: [['Content-Type', 'application/json']], body: Buffer.alloc(BODY, n) };
}
const SIZE = eventBytes(event('ch_x', 1));
const OK = { ok: true, durationMs: 1 };

type Factory = (limits: Partial<StoreLimits>) => Promise<RelayStore>;
const factories: [string, Factory, boolean][] = [
  ['memory', async (limits) => new MemoryStore(limits), true],
  [
    'file',
    async (limits) => {
      const dir = mkdtempSync(join(tmpdir(), 'whcli-limits-'));
      dirs.push(dir);
      return FileStore.open({ dir, limits, fsync: 'never' });
    },
    true,
  ],
  ['redis', async (limits) => RedisStore.connect(redis!.url, limits), hasRedis],
];

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe.each(factories)('%s store: resource bounds', (_name, open, enabled) => {
  let store: RelayStore | undefined;
  beforeEach(async (ctx) => {
    if (!enabled) ctx.skip();
    if (_name === 'redis') {
      const client = new Redis(redis!.url);
      await client.flushall();
      client.disconnect();
    }
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const channel = (s: RelayStore, id: string) => s.createChannel({ id, tokenHash: 'ab'.repeat(32), createdAt: Date.now() });

  it('keeps acknowledged events by bytes: the newest that fit, never a pending one', async () => {
    store = await open({ maxAckedBytes: 3 * SIZE });
    await channel(store, 'ch_a');
    for (let n = 1; n <= 10; n++) await store.append(event('ch_a', n));
    for (let seq = 1; seq <= 8; seq++) await store.ack('ch_a', seq, OK);
    const kept = (await store.readAfter('ch_a', 0, 100)).map((e) => e.seq);
    // 9 and 10 are pending and stay; at most 3 events' worth of acknowledged ones are kept, the newest.
    expect(kept.slice(-2)).toEqual([9, 10]);
    const acked = kept.filter((seq) => seq <= 8);
    expect(acked.length).toBeLessThanOrEqual(3);
    expect(acked).toEqual(acked.length ? Array.from({ length: acked.length }, (_, i) => 8 - acked.length + 1 + i) : []);
    expect(await store.ackedThrough('ch_a')).toBe(8);
  });

  it('bounds unacknowledged bytes over all channels with StoreFullError, and frees them on ack', async () => {
    store = await open({ maxTotalBytes: Math.floor(2.5 * SIZE) });
    await channel(store, 'ch_a');
    await channel(store, 'ch_b');
    await store.append(event('ch_a', 1));
    await store.append(event('ch_b', 1));
    const refused = store.append(event('ch_a', 2));
    await expect(refused).rejects.toBeInstanceOf(StoreFullError);
    await expect(refused).rejects.toBeInstanceOf(ChannelFullError);
    await store.ack('ch_b', 1, OK);
    expect((await store.append(event('ch_a', 2))).seq).toBe(2);
  });

  it('caps the number of channels; a known channel can still be registered again', async () => {
    store = await open({ maxChannels: 2 });
    await channel(store, 'ch_a');
    await channel(store, 'ch_b');
    await expect(channel(store, 'ch_c')).rejects.toBeInstanceOf(StoreFullError);
    await channel(store, 'ch_a');
    expect(await store.getChannel('ch_c')).toBeUndefined();
  });

  it('deletes idle channels with what they hold, and leaves touched ones', async () => {
    store = await open({ maxTotalBytes: Math.floor(1.5 * SIZE) });
    await channel(store, 'ch_idle');
    await channel(store, 'ch_busy');
    await store.append(event('ch_idle', 1));
    const start = Date.now();
    await until(() => Date.now() > start + 1_000);
    const touchedAt = Date.now();
    await store.touchChannels!(['ch_busy']);
    // Idle for longer than the wait is the idle channel only, unless the machine stalls for a second
    // between the touch and the sweep.
    expect(await store.expireIdleChannels!(touchedAt - start - 1)).toBe(1);
    expect(await store.getChannel('ch_idle')).toBeUndefined();
    expect(await store.getChannel('ch_busy')).toBeDefined();
    // The deleted channel's pending bytes left the total with it.
    expect((await store.append(event('ch_busy', 1))).seq).toBe(1);
  });
});

describe('file store restart', () => {
  it('keeps every stored channel when it reopens with a lower --max-channels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whcli-limits-'));
    dirs.push(dir);
    const first = await FileStore.open({ dir, fsync: 'never' });
    for (const id of ['ch_a', 'ch_b', 'ch_c']) await first.createChannel({ id, tokenHash: 'ab'.repeat(32), createdAt: 1 });
    await first.close();
    const second = await FileStore.open({ dir, fsync: 'never', limits: { maxChannels: 2 } });
    expect(await second.getChannel('ch_c')).toBeDefined();
    await expect(second.createChannel({ id: 'ch_d', tokenHash: 'ab'.repeat(32), createdAt: 1 })).rejects.toBeInstanceOf(StoreFullError);
    await second.close();
  });
});
