/**
 * The in-memory relay store: per-channel seqs, readAfter windows, acknowledgements in any order,
 * the pending caps behind ingress's 503 (ChannelFullError), and retention on an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { ChannelFullError, eventBytes, type NewEvent } from '../../../src/relay/store.js';
import { MemoryStore } from '../../../src/relay/stores/memory-store.js';

const OK = { ok: true, durationMs: 1 };

function newEvent(channel: string, n: number, receivedAt = 0, body = Buffer.from(`{"n":${n}}`)): NewEvent {
  return { id: `rev_${n}`, channel, receivedAt, method: 'POST', path: '', query: '', headers: [['Content-Type', 'application/json']], body };
}

/** A store on a clock that stands still at 0 unless given one, so retention acts only when a test says. */
async function storeWith(channels: string[], limits: ConstructorParameters<typeof MemoryStore>[0] = {}, now: () => number = () => 0): Promise<MemoryStore> {
  const store = new MemoryStore(limits, now);
  for (const id of channels) await store.createChannel({ id, tokenHash: 'x'.repeat(64), createdAt: 0 });
  return store;
}

async function appendMany(store: MemoryStore, channel: string, count: number, receivedAt = 0): Promise<number[]> {
  const seqs: number[] = [];
  for (let n = 1; n <= count; n++) seqs.push((await store.append(newEvent(channel, n, receivedAt))).seq);
  return seqs;
}

describe('MemoryStore', () => {
  it('numbers each channel from 1, independently', async () => {
    const store = await storeWith(['a', 'b']);
    expect(await appendMany(store, 'a', 3)).toEqual([1, 2, 3]);
    expect(await appendMany(store, 'b', 2)).toEqual([1, 2]);
    expect((await store.append(newEvent('a', 4))).seq).toBe(4);
  });

  it('keeps a channel as it was when created twice', async () => {
    const store = await storeWith(['a']);
    await appendMany(store, 'a', 2);
    await store.createChannel({ id: 'a', tokenHash: 'y'.repeat(64), createdAt: 5 });
    expect((await store.getChannel('a'))?.tokenHash).toBe('x'.repeat(64));
    expect((await store.readAfter('a', 0, 10)).length).toBe(2);
  });

  it('refuses events for a channel it does not know', async () => {
    const store = await storeWith([]);
    await expect(store.append(newEvent('nope', 1))).rejects.toThrow(/unknown channel/);
    expect(await store.getChannel('nope')).toBeUndefined();
    expect(await store.readAfter('nope', 0, 10)).toEqual([]);
  });

  it('reads after a seq, oldest first, at most limit', async () => {
    const store = await storeWith(['a']);
    await appendMany(store, 'a', 5);
    const seqs = async (after: number, limit: number) => (await store.readAfter('a', after, limit)).map((e) => e.seq);
    expect(await seqs(0, 10)).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs(2, 2)).toEqual([3, 4]);
    expect(await seqs(4, 10)).toEqual([5]);
    expect(await seqs(5, 10)).toEqual([]);
    expect(await seqs(99, 10)).toEqual([]);
  });

  it('advances ackedThrough over a contiguous run only, whatever the order of acks', async () => {
    const store = await storeWith(['a']);
    await appendMany(store, 'a', 5);
    expect(await store.ackedThrough('a')).toBe(0);
    await store.ack('a', 2, OK);
    await store.ack('a', 4, OK);
    expect(await store.ackedThrough('a')).toBe(0);
    await store.ack('a', 1, OK);
    expect(await store.ackedThrough('a')).toBe(2);
    await store.ack('a', 3, OK);
    expect(await store.ackedThrough('a')).toBe(4);
    expect((await store.stats()).pendingEvents).toBe(1);
  });

  it('ignores acks that are repeated, unknown or for seqs not yet stored', async () => {
    const store = await storeWith(['a']);
    await appendMany(store, 'a', 3);
    await store.ack('a', 1, OK);
    await store.ack('a', 1, OK);
    await store.ack('a', 3, OK);
    await store.ack('a', 3, OK);
    await store.ack('a', 0, OK);
    await store.ack('a', 7, OK);
    await store.ack('nope', 1, OK);
    expect(await store.ackedThrough('a')).toBe(1);
    expect(await store.stats()).toMatchObject({ pendingEvents: 1, storedEvents: 3 });
  });

  it('keeps acknowledged events for late listeners', async () => {
    const store = await storeWith(['a']);
    await appendMany(store, 'a', 3);
    for (const seq of [1, 2, 3]) await store.ack('a', seq, OK);
    expect((await store.readAfter('a', 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await store.stats()).toEqual({ channels: 1, pendingEvents: 0, storedEvents: 3, expired: 0 });
  });

  describe('limits (ingress answers 503 on ChannelFullError)', () => {
    it('refuses an event past maxPendingEvents and takes one again after an ack', async () => {
      const store = await storeWith(['a', 'b'], { maxPendingEvents: 3 });
      await appendMany(store, 'a', 3);
      await expect(store.append(newEvent('a', 4))).rejects.toBeInstanceOf(ChannelFullError);
      // The cap is per channel.
      expect((await store.append(newEvent('b', 1))).seq).toBe(1);
      await store.ack('a', 2, OK);
      expect((await store.append(newEvent('a', 4))).seq).toBe(4);
      await expect(store.append(newEvent('a', 5))).rejects.toBeInstanceOf(ChannelFullError);
    });

    it('refuses an event that would take pending bytes past maxPendingBytes (headers and all)', async () => {
      const overhead = eventBytes(newEvent('a', 1, 0, Buffer.alloc(0)));
      const store = await storeWith(['a'], { maxPendingBytes: 2 * overhead + 10 });
      await store.append(newEvent('a', 1, 0, Buffer.alloc(6)));
      await expect(store.append(newEvent('a', 2, 0, Buffer.alloc(5)))).rejects.toBeInstanceOf(ChannelFullError);
      expect((await store.append(newEvent('a', 2, 0, Buffer.alloc(4)))).seq).toBe(2);
      await store.ack('a', 1, OK);
      expect((await store.append(newEvent('a', 3, 0, Buffer.alloc(6)))).seq).toBe(3);
    });

    it('never keeps more acknowledged events than the pending cap', async () => {
      const store = await storeWith(['a'], { maxPendingEvents: 2 });
      for (let n = 1; n <= 5; n++) {
        const { seq } = await store.append(newEvent('a', n));
        await store.ack('a', seq, OK);
      }
      expect((await store.readAfter('a', 0, 10)).map((e) => e.seq)).toEqual([4, 5]);
      expect(await store.ackedThrough('a')).toBe(5);
    });
  });

  describe('retention', () => {
    it('drops events past retention, counting the unacknowledged ones as expired', async () => {
      let now = 0;
      const store = await storeWith(['a'], { retentionMs: 1000 }, () => now);
      await store.append(newEvent('a', 1, 0));
      await store.append(newEvent('a', 2, 0));
      await store.ack('a', 1, OK);
      await store.append(newEvent('a', 3, 600));
      now = 1500;
      expect(await store.stats()).toEqual({ channels: 1, pendingEvents: 1, storedEvents: 1, expired: 1 });
      expect((await store.readAfter('a', 0, 10)).map((e) => e.seq)).toEqual([3]);
      // Expired events count as done: a listener resumes after them.
      expect(await store.ackedThrough('a')).toBe(2);
      // Room freed by expiry is usable, and seqs keep growing.
      expect((await store.append(newEvent('a', 4, 1500))).seq).toBe(4);
    });

    it('frees the pending caps when events expire', async () => {
      let now = 0;
      const store = await storeWith(['a'], { retentionMs: 1000, maxPendingEvents: 2 }, () => now);
      await appendMany(store, 'a', 2, 0);
      await expect(store.append(newEvent('a', 3, 0))).rejects.toBeInstanceOf(ChannelFullError);
      now = 2000;
      expect((await store.append(newEvent('a', 3, 2000))).seq).toBe(3);
      expect((await store.stats()).expired).toBe(2);
    });

    it('moves ackedThrough over events acknowledged out of order once the gap before them expires', async () => {
      let now = 0;
      const store = await storeWith(['a'], { retentionMs: 1000 }, () => now);
      await store.append(newEvent('a', 1, 0));
      await store.append(newEvent('a', 2, 500));
      await store.append(newEvent('a', 3, 500));
      await store.ack('a', 2, OK);
      now = 1200; // only event 1 (never acknowledged) is past retention
      expect(await store.stats()).toMatchObject({ pendingEvents: 1, storedEvents: 2, expired: 1 });
      // 1 expired and 2 was acknowledged: a listener resumes after 2, not after 1.
      expect(await store.ackedThrough('a')).toBe(2);
      expect((await store.readAfter('a', await store.ackedThrough('a'), 10)).map((e) => e.seq)).toEqual([3]);
    });
  });
});
