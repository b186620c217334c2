/**
 * The file store on a failing disk, behind the real relay (real HTTP on loopback): a disk that fills
 * up mid-record, fdatasync failing, truncation refused, a compaction that runs out of space, a log
 * that cannot be read at start. The disk faults are injected through the store's file facade at the
 * exact byte; test/faults/file-store-full-disk.test.ts does the same on a real full tmpfs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../../src/relay/protocol.js';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';
import { FileStore } from '../../../src/relay/stores/file-store.js';
import { FaultyLogFs } from '../../helpers/faulty-log-fs.js';
import { postEvent } from '../../helpers/relay-client.js';

let dirs: string[] = [];
let relay: RelayServer | undefined;
const stores: FileStore[] = [];
afterEach(async () => {
  await relay?.close();
  relay = undefined;
  for (const store of stores.splice(0)) await store.close().catch(() => {});
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'whcli-disk-'));
  dirs.push(dir);
  return dir;
};
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function openStore(dir: string, extra: Partial<Parameters<typeof FileStore.open>[0]> = {}) {
  const store = await FileStore.open({ dir, ...extra });
  stores.push(store);
  return store;
}

/** A relay on the store, one channel, and a local listener that records what it is given. */
async function relayWithListener(store: FileStore) {
  relay = await startRelay({ port: 0, store });
  const channel = await relay.createChannel();
  const delivered: RelayEvent[] = [];
  const session = await relay.attachLocal(channel.id, { window: 100, deliver: (events) => delivered.push(...events) });
  return { channel, delivered, session };
}

/** Polls a condition the relay reaches by itself (a delivery), with a safety net far above need. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const body = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(200) });

describe('file store on a disk that fills up', () => {
  it('answers 500 for an event cut short by a full disk, keeps the log whole, and never delivers it', async () => {
    const dir = tempDir();
    const fs = new FaultyLogFs();
    const store = await openStore(dir, { fs });
    const { channel, delivered } = await relayWithListener(store);
    for (let n = 1; n <= 3; n++) expect((await postEvent(channel.url, body(n))).status).toBe(200);
    const whole = statSync(join(dir, 'relay.log')).size;

    fs.spaceLeft = 100; // the next record (~400 bytes) is written in part, then the disk is full
    expect((await postEvent(channel.url, body(4))).status).toBe(500);
    expect(fs.writes.at(-1)!.bytes, 'the fault did not cut a record short').toBe(100);
    expect(statSync(join(dir, 'relay.log')).size, 'the partial record was not cut off').toBe(whole);
    expect((await postEvent(channel.url, body(5))).status).toBe(500);

    fs.spaceLeft = Infinity; // space freed: the relay takes events again, numbered after the last stored one
    const after = await postEvent(channel.url, body(6));
    expect(after.status).toBe(200);
    expect(after.json.seq).toBe(4);
    await until(() => delivered.length === 4, 'four deliveries');
    expect(delivered.map((e) => JSON.parse(e.body.toString()).n)).toEqual([1, 2, 3, 6]);

    await relay!.close();
    relay = undefined;
    stores.length = 0;
    const reopened = await openStore(dir);
    const events = await reopened.readAfter(channel.id, 0, 100);
    expect(events.map((e) => [e.seq, JSON.parse(e.body.toString()).n])).toEqual([[1, 1], [2, 2], [3, 3], [4, 6]]);
    expect(readdirSync(dir).filter((f) => f !== 'relay.log'), 'damage found in a log that should be whole').toEqual([]);
  });

  it('answers 500 when fdatasync fails, and the event is neither delivered nor found after a restart', async () => {
    const dir = tempDir();
    const fs = new FaultyLogFs();
    const { channel, delivered } = await relayWithListener(await openStore(dir, { fs }));
    expect((await postEvent(channel.url, body(1))).status).toBe(200);
    fs.failSync = true;
    const answers = await Promise.all([2, 3, 4].map((n) => postEvent(channel.url, body(n))));
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500]);
    fs.failSync = false;
    expect((await postEvent(channel.url, body(5))).status).toBe(200);
    await until(() => delivered.length === 2, 'two deliveries');
    expect(delivered.map((e) => JSON.parse(e.body.toString()).n)).toEqual([1, 5]);

    await relay!.close();
    relay = undefined;
    stores.length = 0;
    const events = await (await openStore(dir)).readAfter(channel.id, 0, 100);
    expect(events.map((e) => JSON.parse(e.body.toString()).n)).toEqual([1, 5]);
  });

  it('refuses every write while a torn batch cannot be cut off, and goes on cleanly once it can', async () => {
    const dir = tempDir();
    const fs = new FaultyLogFs();
    const { channel } = await relayWithListener(await openStore(dir, { fs }));
    expect((await postEvent(channel.url, body(1))).status).toBe(200);
    fs.spaceLeft = 50;
    fs.failTruncate = true;
    expect((await postEvent(channel.url, body(2))).status).toBe(500);
    fs.spaceLeft = Infinity; // space again, but the torn bytes are still there
    expect((await postEvent(channel.url, body(3))).status).toBe(500);
    fs.failTruncate = false;
    expect((await postEvent(channel.url, body(4))).status).toBe(200);

    await relay!.close();
    relay = undefined;
    stores.length = 0;
    const events = await (await openStore(dir)).readAfter(channel.id, 0, 100);
    expect(events.map((e) => [e.seq, JSON.parse(e.body.toString()).n])).toEqual([[1, 1], [2, 4]]);
    expect(readdirSync(dir)).toEqual(['relay.log']);
  });
});

describe('file store compaction on a full disk', () => {
  /** A log of mostly acknowledged events, so compaction is worth it at the next start. */
  async function mostlyAcknowledged(dir: string) {
    const store = await FileStore.open({ dir });
    await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= 100; n++) await store.append({ id: `rev_${n}`, channel: 'ch_a', receivedAt: Date.now(), method: 'POST', path: '', query: '', headers: [], body: Buffer.from(body(n)) });
    for (let seq = 1; seq <= 95; seq++) await store.ack('ch_a', seq, { ok: true, durationMs: 1 });
    await store.close();
  }

  it('keeps the old log, removes the partial file and starts when compaction at start runs out of space', async () => {
    const dir = tempDir();
    await mostlyAcknowledged(dir);
    const before = sha256(join(dir, 'relay.log'));
    const fs = new FaultyLogFs();
    fs.only = /\.compact$/;
    fs.spaceLeft = 1000;
    const lines: string[] = [];
    const store = await openStore(dir, { fs, compactRatio: 2, log: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/compaction failed \(ENOSPC.*\); the log is kept/);
    expect(fs.writes.some((w) => w.path.endsWith('.compact')), 'compaction never started').toBe(true);
    expect(existsSync(join(dir, 'relay.log.compact'))).toBe(false);
    expect(sha256(join(dir, 'relay.log'))).toBe(before);
    expect((await store.readAfter('ch_a', 95, 10)).map((e) => e.seq)).toEqual([96, 97, 98, 99, 100]);
    expect((await store.append({ id: 'rev_101', channel: 'ch_a', receivedAt: Date.now(), method: 'POST', path: '', query: '', headers: [], body: Buffer.from('{}') })).seq).toBe(101);
  });

  it('survives a compaction that runs out of space while the relay runs, and compacts once space is back', async () => {
    const dir = tempDir();
    const fs = new FaultyLogFs();
    fs.only = /\.compact$/;
    fs.spaceLeft = 0;
    const lines: string[] = [];
    const store = await openStore(dir, { fs, compactRatio: 2, compactMinBytes: 20_000, log: (line) => lines.push(line) });
    const { channel, delivered, session } = await relayWithListener(store);
    let n = 0;
    // Events acknowledged as they come, until a compaction was tried and failed on the full disk.
    while (!lines.some((l) => /compaction failed/.test(l))) {
      expect((await postEvent(channel.url, body(++n))).status).toBe(200);
      await until(() => delivered.length === n, 'the delivery');
      session.ack(n, { ok: true, durationMs: 1 });
    }
    expect(existsSync(join(dir, 'relay.log.compact'))).toBe(false);
    const grown = statSync(join(dir, 'relay.log')).size;

    fs.spaceLeft = Infinity;
    while (statSync(join(dir, 'relay.log')).size >= grown) {
      expect((await postEvent(channel.url, body(++n))).status).toBe(200);
      await until(() => delivered.length === n, 'the delivery');
      session.ack(n, { ok: true, durationMs: 1 });
    }
    expect((await postEvent(channel.url, body(++n))).status).toBe(200);
    await until(() => delivered.length === n, 'the last delivery');
    expect(JSON.parse(delivered.at(-1)!.body.toString()).n).toBe(n);
  });

  it('removes a leftover relay.log.compact at start: the log is the source of truth', async () => {
    const dir = tempDir();
    await mostlyAcknowledged(dir);
    writeFileSync(join(dir, 'relay.log.compact'), Buffer.from('half a compaction'));
    const lines: string[] = [];
    const store = await openStore(dir, { log: (line) => lines.push(line) });
    expect(existsSync(join(dir, 'relay.log.compact'))).toBe(false);
    expect(lines.join('\n')).toMatch(/removed .*relay\.log\.compact/);
    expect((await store.readAfter('ch_a', 95, 10)).map((e) => e.seq)).toEqual([96, 97, 98, 99, 100]);
  });
});

describe('file store reading events back for delivery', () => {
  it('returns a bounded batch of large events (at least one) and the rest on the next read', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    const big = (n: number) => Buffer.alloc(5 * 1024 * 1024, n);
    for (let n = 1; n <= 6; n++) await store.append({ id: `rev_${n}`, channel: 'ch_a', receivedAt: Date.now(), method: 'POST', path: '', query: '', headers: [], body: big(n) });
    const first = await store.readAfter('ch_a', 0, 100);
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first.length).toBeLessThan(6);
    const rest = await store.readAfter('ch_a', first.at(-1)!.seq, 100);
    const all = [...first, ...rest];
    while (all.length < 6) all.push(...(await store.readAfter('ch_a', all.at(-1)!.seq, 100)));
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.every((e) => e.body.equals(big(e.seq)))).toBe(true);
  });
});

describe('file store reading its log at start', () => {
  it('streams the log in bounded reads, whatever its size, and reads it once', async () => {
    const dir = tempDir();
    const store = await FileStore.open({ dir });
    await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    const big = Buffer.alloc(256 * 1024, 7);
    for (let n = 1; n <= 24; n++) await store.append({ id: `rev_${n}`, channel: 'ch_a', receivedAt: Date.now(), method: 'POST', path: '', query: '', headers: [], body: big });
    await store.close();
    const size = statSync(join(dir, 'relay.log')).size;
    expect(size).toBeGreaterThan(6 * 1024 * 1024);

    const fs = new FaultyLogFs();
    const reopened = await openStore(dir, { fs });
    expect(Math.max(...fs.reads)).toBeLessThanOrEqual(1024 * 1024);
    expect(fs.reads.reduce((a, b) => a + b, 0)).toBeLessThan(size * 1.1);
    expect((await reopened.stats()).pendingEvents).toBe(24);
  });

  it('finds the records after a long zeroed stretch (a lost block) and keeps them', async () => {
    const dir = tempDir();
    const store = await FileStore.open({ dir });
    await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    const append = (n: number, bytes: number) => store.append({ id: `rev_${n}`, channel: 'ch_a', receivedAt: Date.now(), method: 'POST', path: '', query: '', headers: [], body: Buffer.alloc(bytes, n) });
    await append(1, 100);
    const startOfLost = statSync(join(dir, 'relay.log')).size;
    await append(2, 3 * 1024 * 1024);
    await append(3, 100);
    await store.close();
    const log = readFileSync(join(dir, 'relay.log'));
    log.fill(0, startOfLost, startOfLost + 3 * 1024 * 1024); // event 2 zeroed, all but its last bytes
    writeFileSync(join(dir, 'relay.log'), log);

    const lines: string[] = [];
    const reopened = await openStore(dir, { log: (line) => lines.push(line) });
    expect((await reopened.readAfter('ch_a', 0, 10)).map((e) => [e.seq, e.body.length])).toEqual([[1, 100], [3, 100]]);
    expect(lines.join('\n')).toMatch(new RegExp(`bytes ${startOfLost}-\\d+ are damaged`));
  });

  it('refuses to start, naming the file and the reason, and leaves the log untouched', async () => {
    const dir = tempDir();
    const store = await FileStore.open({ dir });
    await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= 50; n++) await store.append({ id: `rev_${n}`, channel: 'ch_a', receivedAt: Date.now(), method: 'POST', path: '', query: '', headers: [], body: Buffer.from(body(n)) });
    for (let seq = 1; seq <= 50; seq++) await store.ack('ch_a', seq, { ok: true, durationMs: 1 });
    await store.close();
    const file = join(dir, 'relay.log');
    const before = sha256(file);

    // Everything acknowledged: a store that took the failed read for an empty log would compact it away.
    const fs = new FaultyLogFs();
    fs.failReadsFrom = statSync(file).size - 100;
    await expect(FileStore.open({ dir, fs, compactRatio: 1.01 })).rejects.toThrow(
      new RegExp(`^cannot read the relay store ${file.replace(/[/.]/g, '\\$&')}: EIO: .*; not starting, so that nothing in it is overwritten$`),
    );
    expect(sha256(file)).toBe(before);
    expect(readdirSync(dir)).toEqual(['relay.log']);
  });
});
