import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelFullError, eventBytes, type NewEvent, type RelayStore, type StoreLimits } from '../../../src/relay/store.js';
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

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'whcli-store-'));
  dirs.push(dir);
  return dir;
};

let channelCounter = 0;
/** Fresh channel names per test, so one Redis serves every test without flushing. */
const newChannel = () => `ch_contract_${process.pid}_${++channelCounter}`;

function event(channel: string, n: number, body: Buffer = Buffer.from(`{"n":${n}}`)): NewEvent {
  return {
    id: `rev_${n}`,
    channel,
    receivedAt: Date.now(),
    method: 'POST',
    path: '/hooks',
    query: 'a=1',
    headers: [
      ['Content-Type', 'application/json'],
      ['X-Repeat', 'one'],
      ['X-Repeat', 'two'],
    ],
    body,
  };
}

type Factory = (limits?: Partial<StoreLimits>) => Promise<RelayStore>;

const factories: [string, Factory, boolean][] = [
  ['memory', async (limits) => new MemoryStore(limits), true],
  ['file', async (limits) => FileStore.open({ dir: tempDir(), limits }), true],
  ['redis', async (limits) => RedisStore.connect(redis!.url, limits), hasRedis],
];

describe.each(factories)('%s store: the RelayStore contract', (_name, open, enabled) => {
  let store: RelayStore;
  let channel: string;
  beforeEach(async (ctx) => {
    if (!enabled) return ctx.skip('redis-server is not installed (.ci/run installs it)');
    store = await open();
    channel = newChannel();
    await store.createChannel({ id: channel, tokenHash: 'ab'.repeat(32), createdAt: 1 });
  });
  afterEach(async () => {
    await store?.close();
  });

  it('keeps channels and knows unknown ones', async () => {
    expect(await store.getChannel(channel)).toEqual({ id: channel, tokenHash: 'ab'.repeat(32), createdAt: 1 });
    expect(await store.getChannel('ch_never_created')).toBeUndefined();
  });

  it('numbers events 1, 2, 3… per channel and returns them in order after a seq', async () => {
    const other = newChannel();
    await store.createChannel({ id: other, tokenHash: 'cd'.repeat(32), createdAt: 2 });
    const seqs = [];
    for (let n = 1; n <= 5; n++) seqs.push((await store.append(event(channel, n))).seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect((await store.append(event(other, 1))).seq).toBe(1);
    expect((await store.readAfter(channel, 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await store.readAfter(channel, 2, 2)).map((e) => e.seq)).toEqual([3, 4]);
    expect(await store.readAfter(channel, 5, 10)).toEqual([]);
  });

  it('returns bodies byte for byte and headers with repeats and case intact', async () => {
    const body = Buffer.from([0, 255, 1, 254, 0x7b, 0x0a, 0xc3, 0xab]);
    await store.append(event(channel, 1, body));
    const [stored] = await store.readAfter(channel, 0, 1);
    expect(Buffer.compare(stored!.body, body)).toBe(0);
    expect(stored!.headers).toEqual(event(channel, 1).headers);
    expect(stored).toMatchObject({ id: 'rev_1', channel, method: 'POST', path: '/hooks', query: 'a=1' });
  });

  it('advances ackedThrough only over a contiguous run, whatever the ack order', async () => {
    for (let n = 1; n <= 4; n++) await store.append(event(channel, n));
    const report = { ok: true, durationMs: 1 };
    await store.ack(channel, 2, report);
    expect(await store.ackedThrough(channel)).toBe(0);
    await store.ack(channel, 1, report);
    expect(await store.ackedThrough(channel)).toBe(2);
    await store.ack(channel, 4, report);
    await store.ack(channel, 4, report); // twice: no effect
    await store.ack(channel, 99, report); // never stored: ignored
    expect(await store.ackedThrough(channel)).toBe(2);
    await store.ack(channel, 3, report);
    expect(await store.ackedThrough(channel)).toBe(4);
    expect((await store.stats()).pendingEvents).toBeGreaterThanOrEqual(0);
  });

  it('refuses events past the pending cap and takes them again once some are acknowledged', async () => {
    await store.close();
    store = await open({ maxPendingEvents: 3 });
    channel = newChannel();
    await store.createChannel({ id: channel, tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= 3; n++) await store.append(event(channel, n));
    await expect(store.append(event(channel, 4))).rejects.toBeInstanceOf(ChannelFullError);
    await store.ack(channel, 1, { ok: true, durationMs: 1 });
    expect((await store.append(event(channel, 4))).seq).toBe(4);
  });

  it('deletes a channel with every event it holds, frees its bytes, and leaves others alone', async () => {
    await store.close();
    const overhead = eventBytes(event(channel, 1, Buffer.alloc(0)));
    // One Redis serves every test, so its total holds other tests' bytes: only a delta is exact there.
    const totalBound = _name === 'redis' ? Number.MAX_SAFE_INTEGER : 3 * (overhead + 100);
    store = await open({ maxTotalBytes: totalBound });
    channel = newChannel();
    const other = newChannel();
    await store.createChannel({ id: channel, tokenHash: 'ab'.repeat(32), createdAt: 1 });
    await store.createChannel({ id: other, tokenHash: 'cd'.repeat(32), createdAt: 2 });
    const before = await store.stats();
    for (let n = 1; n <= 3; n++) await store.append(event(channel, n, Buffer.alloc(100)));
    if (_name !== 'redis') await expect(store.append(event(other, 1, Buffer.alloc(100)))).rejects.toThrow(/maximum/);

    expect(await store.deleteChannel!(channel)).toBe(true);
    expect(await store.getChannel(channel)).toBeUndefined();
    expect(await store.readAfter(channel, 0, 10)).toEqual([]);
    expect(await store.deleteChannel!(channel)).toBe(false);
    expect(await store.deleteChannel!('ch_never_created')).toBe(false);
    const after = await store.stats();
    expect(after.pendingEvents).toBe(before.pendingEvents);
    expect(after.channels).toBe(before.channels - 1);
    // The deleted channel's bytes no longer count against the relay's total.
    expect((await store.append(event(other, 1, Buffer.alloc(100)))).seq).toBe(1);
    expect(await store.getChannel(other)).toBeDefined();
  });

  it('refuses events past the pending byte cap', async () => {
    await store.close();
    channel = newChannel();
    const overhead = eventBytes(event(channel, 1, Buffer.alloc(0)));
    store = await open({ maxPendingBytes: 2 * overhead + 100 });
    await store.createChannel({ id: channel, tokenHash: 'ab'.repeat(32), createdAt: 1 });
    await store.append(event(channel, 1, Buffer.alloc(80)));
    await expect(store.append(event(channel, 2, Buffer.alloc(40)))).rejects.toBeInstanceOf(ChannelFullError);
  });
});

describe('file store durability', () => {
  it('keeps unacknowledged events, acks and the seq counter across a reopen', async () => {
    const dir = tempDir();
    const first = await FileStore.open({ dir });
    await first.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= 10; n++) await first.append(event('ch_a', n));
    for (const seq of [1, 2, 3, 5]) await first.ack('ch_a', seq, { ok: true, durationMs: 1 });
    await first.close();

    const second = await FileStore.open({ dir });
    expect(await second.getChannel('ch_a')).toBeDefined();
    expect(await second.ackedThrough('ch_a')).toBe(3);
    expect((await second.readAfter('ch_a', 3, 100)).map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect((await second.append(event('ch_a', 11))).seq).toBe(11);
    await second.close();
  });

  it('keeps a deleted channel deleted across a reopen, events and all', async () => {
    const dir = tempDir();
    const first = await FileStore.open({ dir });
    await first.createChannel({ id: 'ch_gone', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    await first.createChannel({ id: 'ch_kept', tokenHash: 'cd'.repeat(32), createdAt: 2 });
    for (let n = 1; n <= 5; n++) await first.append(event('ch_gone', n));
    await first.append(event('ch_kept', 1));
    expect(await first.deleteChannel('ch_gone')).toBe(true);
    await first.close();

    const second = await FileStore.open({ dir });
    expect(await second.getChannel('ch_gone')).toBeUndefined();
    expect((await second.stats()).pendingEvents).toBe(1);
    expect((await second.readAfter('ch_kept', 0, 10)).map((e) => e.id)).toEqual(['rev_1']);
    await second.close();
  });

  it('compacts a log of mostly acknowledged events and keeps what is pending', async () => {
    const dir = tempDir();
    const first = await FileStore.open({ dir, compactRatio: 2 });
    await first.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= 200; n++) await first.append(event('ch_a', n, Buffer.alloc(500, n)));
    for (let seq = 1; seq <= 190; seq++) await first.ack('ch_a', seq, { ok: true, durationMs: 1 });
    await first.close();
    const { statSync } = await import('node:fs');
    const before = statSync(join(dir, 'relay.log')).size;

    const second = await FileStore.open({ dir, compactRatio: 2 });
    const after = statSync(join(dir, 'relay.log')).size;
    expect(after).toBeLessThan(before / 5);
    expect(await second.ackedThrough('ch_a')).toBe(190);
    const pending = await second.readAfter('ch_a', 190, 100);
    expect(pending.map((e) => e.seq)).toEqual([191, 192, 193, 194, 195, 196, 197, 198, 199, 200]);
    expect(pending[0]!.body.equals(Buffer.alloc(500, 191))).toBe(true);
    expect((await second.append(event('ch_a', 201))).seq).toBe(201);
    await second.close();
  });

  it('drops a record torn by a crash and goes on appending after the last whole one', async () => {
    const dir = tempDir();
    const first = await FileStore.open({ dir });
    await first.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= 3; n++) await first.append(event('ch_a', n));
    await first.close();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, 'relay.log'), Buffer.from([0x45, 0, 0, 1, 0, 1, 2, 3])); // claims 256 bytes, has 3

    const second = await FileStore.open({ dir });
    expect((await second.readAfter('ch_a', 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
    await second.append(event('ch_a', 4));
    await second.close();
    const third = await FileStore.open({ dir });
    expect((await third.readAfter('ch_a', 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await third.close();
  });
});

describe.runIf(hasRedis)('redis store shared by two relays', () => {
  it('lets one instance read and acknowledge what another stored, and wakes it at once', async () => {
    const a = await RedisStore.connect(redis!.url);
    const b = await RedisStore.connect(redis!.url);
    try {
      const channel = newChannel();
      await a.createChannel({ id: channel, tokenHash: 'ab'.repeat(32), createdAt: 1 });
      expect(await b.getChannel(channel)).toBeDefined();
      const woken = new Promise<string>((resolve) => b.onAppend((ch) => ch === channel && resolve(ch)));
      await a.append(event(channel, 1));
      expect(await woken).toBe(channel);
      expect((await b.readAfter(channel, 0, 10)).map((e) => e.id)).toEqual(['rev_1']);
      await b.ack(channel, 1, { ok: true, durationMs: 1 });
      expect(await a.ackedThrough(channel)).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('assigns distinct, gapless seqs when two instances append to one channel at once', async () => {
    const a = await RedisStore.connect(redis!.url);
    const b = await RedisStore.connect(redis!.url);
    try {
      const channel = newChannel();
      await a.createChannel({ id: channel, tokenHash: 'ab'.repeat(32), createdAt: 1 });
      const appended = await Promise.all(Array.from({ length: 100 }, (_, n) => (n % 2 ? a : b).append(event(channel, n))));
      expect(appended.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, n) => n + 1));
      expect((await a.readAfter(channel, 0, 200)).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, n) => n + 1));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
