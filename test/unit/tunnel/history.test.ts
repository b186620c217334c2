/**
 * history.ndjson stays bounded while a listener runs: past a count or byte bound the file becomes
 * history.ndjson.1 and a new one starts, so at most two files' worth is kept and the newest entry is
 * never the one lost. Real files in a temp dir.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../../src/relay/protocol.js';
import { History, historyLine, type HistoryLimits } from '../../../src/tunnel/history.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'whcli-history-'));
  dirs.push(dir);
  return dir;
}

function event(seq: number, bodyBytes = 10): RelayEvent {
  return { seq, id: `rev_${seq}`, channel: 'ch_x', receivedAt: seq, method: 'POST', path: '', query: '', headers: [], body: Buffer.alloc(bodyBytes, 'a') };
}

/** Records events 1..count, then closes (everything flushed). */
async function recordBurst(dir: string, limits: HistoryLimits, count: number, bodyBytes?: number): Promise<History> {
  const history = new History(dir, limits);
  await history.open();
  for (let seq = 1; seq <= count; seq++) {
    history.record(event(seq, bodyBytes), { deliveredAt: seq, forward: 'http://localhost:3000/', report: { ok: true, status: 200, durationMs: 1 } });
  }
  await history.close();
  return history;
}

const lineCount = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;

describe('History bounds', () => {
  it('rotates by count while running: at most two files, the newest entries kept in order', async () => {
    const dir = await tempDir();
    const history = await recordBurst(dir, { maxEntries: 10, maxBytes: 1 << 20 }, 35);
    const seqs = (await history.list()).map((entry) => entry.seq);
    // 35 written, rotations at 10, 20 and 30: .1 holds 21..30 and the current file 31..35.
    expect(seqs).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
    expect(await lineCount(history.previous)).toBe(10);
    expect(await lineCount(history.file)).toBe(5);
  });

  it('rotates by bytes, so a burst of large bodies cannot grow the file past the bound', async () => {
    const dir = await tempDir();
    const maxBytes = 64 * 1024;
    const history = await recordBurst(dir, { maxEntries: 1_000_000, maxBytes }, 200, 4096);
    const entryBytes = (await readFile(history.file, 'utf8')).split('\n')[0]!.length + 1;
    for (const file of [history.file, history.previous]) expect((await stat(file)).size).toBeLessThan(maxBytes + entryBytes);
    const seqs = (await history.list()).map((entry) => entry.seq);
    expect(seqs.at(-1)).toBe(200);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('keeps counting across restarts, and a file over the bound from an older version is cut to its newest lines', async () => {
    const dir = await tempDir();
    const line = (seq: number) => JSON.stringify({ id: `rev_${seq}`, seq, body: 'x'.repeat(100) });
    await writeFile(join(dir, 'history.ndjson'), Array.from({ length: 5000 }, (_, i) => line(i + 1)).join('\n') + '\n');
    const limits = { maxEntries: 1_000_000, maxBytes: 32 * 1024 };
    const history = new History(dir, limits);
    await history.open();
    await history.close();
    const seqs = (await history.list()).map((entry) => entry.seq);
    expect(seqs.at(-1)).toBe(5000);
    expect(seqs.length).toBeLessThan(5000);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect((await stat(history.file)).size + ((await stat(history.previous).catch(() => ({ size: 0 }))).size)).toBeLessThanOrEqual(2 * limits.maxBytes);
  });

  it('keeps the order of entries of any size, a body larger than a write batch among them', async () => {
    const dir = await tempDir();
    const sizes = [10, 300 * 1024, 10, 20 * 1024, 10];
    const history = new History(dir, { maxEntries: 1000, maxBytes: 1 << 30 });
    await history.open();
    sizes.forEach((bytes, i) => history.record(event(i + 1, bytes), { deliveredAt: i, forward: 'http://localhost:3000/', report: { ok: true, durationMs: 1 } }));
    await history.close();
    const entries = await history.list();
    expect(entries.map((e) => [e.seq, Buffer.from(e.body, 'base64').length])).toEqual(sizes.map((bytes, i) => [i + 1, bytes]));
  });

  it('writes its files 0600', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'history.ndjson'), '', { mode: 0o644 });
    const history = await recordBurst(dir, { maxEntries: 3, maxBytes: 1 << 20 }, 4);
    for (const file of [history.file, history.previous]) expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('history lines', () => {
  it('are the entry as JSON, whatever its fields hold', () => {
    const events: RelayEvent[] = [
      event(1),
      { ...event(2), path: '/hooks/é', query: 'a=1&b=%22', headers: [['X-Name', 'snow ☃ "quoted" \\ back'], ['x-name', 'again']], body: Buffer.from([0, 255, 10, 34, 92]) },
      { ...event(3), body: Buffer.alloc(0) },
    ];
    const extras = [
      { deliveredAt: 1, forward: 'http://localhost:3000/', report: { ok: true, status: 200, durationMs: 1.5, headers: { 'set-cookie': ['a=1', 'b=2'] }, body: '{"ok":"\u2028"}' } },
      { deliveredAt: 2, provider: undefined, eventType: 'invoice.paid', eventId: undefined, forward: '', route: 'billing', attempt: 2, report: { ok: false, durationMs: 0, error: { kind: 'refused' as const, message: 'line\nbreak' } } },
    ];
    for (const e of events) {
      for (const extra of extras) {
        const entry = { id: e.id, seq: e.seq, channel: e.channel, receivedAt: e.receivedAt, method: e.method, path: e.path, query: e.query, headers: e.headers, body: e.body.toString('base64'), ...extra };
        expect(historyLine(e, extra)).toBe(`${JSON.stringify(entry)}\n`);
      }
    }
  });
});
