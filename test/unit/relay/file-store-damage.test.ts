/**
 * What the file store finds in relay.log at start: a flipped byte in the middle, a torn tail, and a
 * log in the first record format (no file header, no checksums), as relays before checksums wrote.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../src/relay/store.js';
import { FileStore } from '../../../src/relay/stores/file-store.js';

let dirs: string[] = [];
const stores: FileStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => {});
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'whcli-damage-'));
  dirs.push(dir);
  return dir;
};
async function open(dir: string, lines: string[] = []) {
  const store = await FileStore.open({ dir, log: (line) => lines.push(line) });
  stores.push(store);
  return store;
}

const event = (n: number): NewEvent => ({
  id: `rev_${n}`,
  channel: 'ch_a',
  receivedAt: Date.now(),
  method: 'POST',
  path: '/hooks',
  query: '',
  headers: [['Content-Type', 'application/json']],
  body: Buffer.from(JSON.stringify({ n, marker: `body-of-event-${n}` })),
});

/** A closed log of events 1..count on channel ch_a. */
async function logOf(dir: string, count: number): Promise<Buffer> {
  const store = await FileStore.open({ dir });
  await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
  for (let n = 1; n <= count; n++) await store.append(event(n));
  await store.close();
  return readFileSync(join(dir, 'relay.log'));
}

const numbers = (events: { body: Buffer }[]) => events.map((e) => (JSON.parse(e.body.toString()) as { n: number }).n);

describe('file store damage found at start', () => {
  it.each([
    ['a byte of a body', (log: Buffer) => log.indexOf('body-of-event-5')],
    ['a byte of a record length', (log: Buffer) => log.lastIndexOf(Buffer.from([0x45]), log.indexOf('"id":"rev_5"')) + 2],
  ])('reports %s flipped in the middle with file and offset, keeps every other record, and moves the damage aside', async (_what, where) => {
    const dir = tempDir();
    const log = await logOf(dir, 10);
    const at = where(log);
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(log);
    damaged[at] = damaged[at]! ^ 0x5a;
    writeFileSync(join(dir, 'relay.log'), damaged);

    const lines: string[] = [];
    const store = await open(dir, lines);
    const kept = await store.readAfter('ch_a', 0, 100);
    expect(numbers(kept)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
    const report = lines.find((l) => l.includes('damaged'));
    const match = /relay store (\S+): bytes (\d+)-(\d+) are damaged .* moved aside to (\S+), the records after them are kept/.exec(report ?? '');
    expect(match, lines.join('\n')).not.toBeNull();
    const [, file, from, to, aside] = match!;
    expect(file).toBe(join(dir, 'relay.log'));
    expect(Number(from)).toBeLessThanOrEqual(at);
    expect(Number(to)).toBeGreaterThan(at);
    expect(aside).toBe(join(dir, `relay.log.damaged-${from}`));
    // The side file holds exactly the damaged bytes, the flipped one included.
    expect(readFileSync(aside!).equals(damaged.subarray(Number(from), Number(to)))).toBe(true);

    // The lost seq does not block acknowledgements: the listener acks what it got and the channel is done.
    for (const e of kept) await store.ack('ch_a', e.seq, { ok: true, durationMs: 1 });
    expect(await store.ackedThrough('ch_a')).toBe(10);
    expect((await store.append(event(11))).seq).toBe(11);
    await store.close();
    stores.length = 0;

    // The damage was left out of the log: the next start finds none.
    const again: string[] = [];
    const reopened = await open(dir, again);
    expect(again.filter((l) => l.includes('damaged'))).toEqual([]);
    expect(numbers(await reopened.readAfter('ch_a', 10, 100))).toEqual([11]);
  });

  it('cuts a torn tail without setting anything aside, and reports where', async () => {
    const dir = tempDir();
    const log = await logOf(dir, 3);
    const last = log.lastIndexOf(Buffer.from('"id":"rev_3"'));
    writeFileSync(join(dir, 'relay.log'), log.subarray(0, last + 10)); // the last record, cut mid-way
    const lines: string[] = [];
    const store = await open(dir, lines);
    expect(numbers(await store.readAfter('ch_a', 0, 10))).toEqual([1, 2]);
    expect(lines.join('\n')).toMatch(/cut a record torn by a crash at byte \d+/);
    expect(readdirSync(dir)).toEqual(['relay.log']);
    expect((await store.append(event(4))).seq).toBe(3);
  });

  it('keeps damage at the very end aside too when it is not a record cut short', async () => {
    const dir = tempDir();
    const log = await logOf(dir, 3);
    const damaged = Buffer.from(log);
    damaged[damaged.length - 2] = damaged[damaged.length - 2]! ^ 0xff; // the last record is whole but wrong
    writeFileSync(join(dir, 'relay.log'), damaged);
    const lines: string[] = [];
    const store = await open(dir, lines);
    expect(numbers(await store.readAfter('ch_a', 0, 10))).toEqual([1, 2]);
    expect(readdirSync(dir).filter((f) => f.startsWith('relay.log.damaged-'))).toHaveLength(1);
  });

  it('skips and sets aside a record that changed on disk while the relay runs, so delivery goes on', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const store = await open(dir, lines);
    await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= 3; n++) await store.append(event(n));
    const file = join(dir, 'relay.log');
    const log = readFileSync(file);
    const at = log.indexOf('body-of-event-2');
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([log[at]! ^ 0x01]), 0, 1, at);
    closeSync(fd);

    expect(numbers(await store.readAfter('ch_a', 1, 1)), 'an empty answer would stall the channel').toEqual([3]);
    expect(numbers(await store.readAfter('ch_a', 0, 10))).toEqual([1, 3]);
    expect(readdirSync(dir).filter((f) => f.startsWith('relay.log.damaged-')), 'set aside once, not at every read').toHaveLength(1);
    expect(lines.join('\n')).toMatch(/event 2 of channel ch_a at byte \d+ is damaged .* moved aside to .*relay\.log\.damaged-\d+ and skipped/);
    const aside = readdirSync(dir).find((f) => f.startsWith('relay.log.damaged-'))!;
    expect(readFileSync(join(dir, aside)).includes('body-of-event-2'.replace('b', String.fromCharCode('b'.charCodeAt(0) ^ 1)))).toBe(true);
    await store.ack('ch_a', 1, { ok: true, durationMs: 1 });
    await store.ack('ch_a', 3, { ok: true, durationMs: 1 });
    expect(await store.ackedThrough('ch_a')).toBe(3);
  });

  it('sets aside the events of a channel whose own record is damaged, in one side file', async () => {
    const dir = tempDir();
    const log = await logOf(dir, 3);
    const damaged = Buffer.from(log);
    const at = damaged.indexOf('"tokenHash"');
    damaged[at] = damaged[at]! ^ 0x01;
    writeFileSync(join(dir, 'relay.log'), damaged);
    const lines: string[] = [];
    const store = await open(dir, lines);
    expect(await store.getChannel('ch_a')).toBeUndefined();
    expect(lines.join('\n')).toMatch(/3 event\(s\) of channels whose record is lost are set aside/);
    const aside = readdirSync(dir).filter((f) => f.startsWith('relay.log.damaged-'));
    expect(aside).toHaveLength(1);
    const kept = readFileSync(join(dir, aside[0]!));
    for (let n = 1; n <= 3; n++) expect(kept.includes(`body-of-event-${n}`)).toBe(true);
  });

  it('keeps an idle channel deleted across a restart, and its events with it', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.createChannel({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    await store.createChannel({ id: 'ch_b', tokenHash: 'cd'.repeat(32), createdAt: 1 });
    await store.append(event(1));
    const start = Date.now();
    while (Date.now() <= start + 5) await new Promise((resolve) => setImmediate(resolve));
    await store.touchChannels(['ch_b']);
    expect(await store.expireIdleChannels(3)).toBe(1);
    await store.close();
    stores.length = 0;

    const reopened = await open(dir);
    expect(await reopened.getChannel('ch_a')).toBeUndefined();
    expect(await reopened.getChannel('ch_b')).toBeDefined();
    expect((await reopened.stats()).pendingEvents).toBe(0);
  });

  it('refuses a file that is no relay log, and leaves it as it is', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relay.log'), '{"not":"a relay log"}\n');
    await expect(FileStore.open({ dir })).rejects.toThrow(/cannot read the relay store .*relay\.log: it is not a whcli relay log/);
    expect(readFileSync(join(dir, 'relay.log'), 'utf8')).toBe('{"not":"a relay log"}\n');
  });
});

/** A record in the first format: [u8 kind][u32 length][payload]. */
function legacy(kind: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(kind.charCodeAt(0), 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}
function legacyEvent(seq: number): Buffer {
  const { body, ...header } = { ...event(seq), seq };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length, 0);
  return legacy('E', Buffer.concat([length, json, body]));
}

describe('file store reading a log in the first format', () => {
  const legacyLog = () =>
    Buffer.concat([
      legacy('C', Buffer.from(JSON.stringify({ id: 'ch_a', tokenHash: 'ab'.repeat(32), createdAt: 1 }))),
      ...[1, 2, 3, 4].map(legacyEvent),
      legacy('A', Buffer.from(JSON.stringify({ c: 'ch_a', s: 1 }))),
    ]);

  it('keeps its events and acks, and rewrites it with checksums', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relay.log'), legacyLog());
    const lines: string[] = [];
    const store = await open(dir, lines);
    expect(await store.ackedThrough('ch_a')).toBe(1);
    expect(numbers(await store.readAfter('ch_a', 1, 10))).toEqual([2, 3, 4]);
    expect(lines.join('\n')).toMatch(/rewritten in the current record format/);
    expect(readFileSync(join(dir, 'relay.log')).subarray(0, 6).toString()).toBe('WHRLOG');
    expect((await store.append(event(5))).seq).toBe(5);
  });

  it('sets aside what follows a damaged record instead of stopping with a parse error', async () => {
    const dir = tempDir();
    const log = legacyLog();
    const at = log.indexOf('"id":"rev_3"') + 1;
    log[at] = 0x00; // the JSON of event 3 no longer parses
    writeFileSync(join(dir, 'relay.log'), log);
    const lines: string[] = [];
    const store = await open(dir, lines);
    expect(numbers(await store.readAfter('ch_a', 0, 10))).toEqual([2, 4]);
    expect(lines.join('\n')).toMatch(/bytes \d+-\d+ are damaged/);
    expect(readdirSync(dir).some((f) => f.startsWith('relay.log.damaged-'))).toBe(true);
    expect(existsSync(join(dir, 'relay.log.compact'))).toBe(false);
  });
});
