import { createWriteStream, fchmodSync, fstatSync, openSync, renameSync, type WriteStream } from 'node:fs';
import { open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from '../paths.js';
import type { DeliveryReport, RelayEvent } from '../relay/protocol.js';

/** One delivered (or failed) event as the listener saw it. */
export interface HistoryEntry {
  id: string;
  seq: number;
  channel: string;
  receivedAt: number;
  deliveredAt: number;
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  /** base64 of the raw body, so a replay sends the same bytes. */
  body: string;
  provider?: string;
  eventType?: string;
  eventId?: string;
  forward: string;
  /** The route the event took, when the listener has routes. */
  route?: string;
  /** With `listen --retries`: which attempt this entry records (1: the first delivery). */
  attempt?: number;
  report: DeliveryReport;
}

/** What the listener adds to an event for its history entry. */
export type DeliveryFields = Omit<HistoryEntry, 'id' | 'seq' | 'channel' | 'receivedAt' | 'method' | 'path' | 'query' | 'headers' | 'body'>;

export interface HistoryLimits {
  /** Entries per file: the newest file is rotated to `.1` when it holds this many. */
  maxEntries: number;
  /** Bytes per file, the same way: a burst of large bodies rotates sooner. */
  maxBytes: number;
}

export const HISTORY_LIMITS: HistoryLimits = { maxEntries: 1000, maxBytes: 32 * 1024 * 1024 };

/** Entries waiting for a slow disk past this are not recorded (and said once), rather than held in memory. */
const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024;

/**
 * Recorded entries are written together, this long after the first of them or once this many wait:
 * each write costs a round trip through libuv's thread pool, which per event was most of history's
 * cost. They are also serialized then, one after another: JSON.stringify between two deliveries ran
 * several times slower (cold caches) than the same calls in a row.
 */
const FLUSH_MS = 100;
const FLUSH_ENTRIES = 512;
/** Encoded lines are handed to the stream in buffers of this size (a larger line goes alone). */
const BATCH_BYTES = 1024 * 1024;

/**
 * How often (in entries, and at most once in this many ms) a writer checks that another listener did
 * not rotate the file under it: each check is a stat through the thread pool.
 */
const ROTATION_CHECK_EVERY = 64;
const ROTATION_CHECK_MS = 1000;

/**
 * An append-only NDJSON file of deliveries, bounded while it runs: when it reaches `maxEntries` or
 * `maxBytes` it becomes `history.ndjson.1` (replacing the one before) and a new file starts. So the
 * newest entries are always kept, at least one file's worth of them, and never more than two files.
 */
export class History {
  readonly file: string;
  /** The file before the current one. */
  readonly previous: string;
  private stream: WriteStream | undefined;
  private bytes = 0;
  private entries = 0;
  private sinceCheck = 0;
  private checkedAt = 0;
  private unwrittenSaid = false;
  /**
   * Entries recorded and not yet written (see FLUSH_MS). The listener never changes an event or a
   * report once recorded, so serializing them later gives the same lines.
   */
  private pending: [RelayEvent, DeliveryFields][] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** Lines encoded as they are serialized: the strings die young, no batch-sized string is built. */
  private batch: Buffer | undefined;
  private batchBytes = 0;
  /** The inode of the file the stream writes to, to tell when another listener renamed it away. */
  private inode = 0;

  constructor(
    private readonly dir: string,
    private readonly limits: HistoryLimits = HISTORY_LIMITS,
    /** Told once when history cannot be written (the deliveries themselves go on). */
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    this.file = join(dir, 'history.ndjson');
    this.previous = `${this.file}.1`;
  }

  /** Opens the file for appending; when it cannot be, says so and records nothing (deliveries go on). */
  async open(): Promise<void> {
    try {
      await this.openFile();
    } catch (error) {
      this.onProblem(`history: cannot open ${this.file} (${(error as Error).message}); deliveries go on without it`);
    }
  }

  private async openFile(): Promise<void> {
    await ensurePrivateDir(this.dir);
    // Files from an older whcli (trimmed only at start) may be far over the bound: keep their newest part.
    await keepNewest(this.previous, this.limits.maxBytes);
    await keepNewest(this.file, this.limits.maxBytes);
    const lines = await readLines(this.file);
    this.entries = lines.length;
    this.bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    if (this.full()) {
      await rename(this.file, this.previous);
      this.entries = this.bytes = 0;
    }
    this.stream = this.openStream();
  }

  record(event: RelayEvent, extra: DeliveryFields): void {
    const stream = this.stream;
    if (!stream) return;
    if (stream.writableLength > MAX_UNWRITTEN_BYTES) {
      if (!this.unwrittenSaid) this.onProblem(`history: the disk is not keeping up, so some deliveries are not recorded in ${this.file}`);
      this.unwrittenSaid = true;
      return;
    }
    // Written in batches: no disk write (nor serialization) per delivery.
    this.pending.push([event, extra]);
    if (this.pending.length >= FLUSH_ENTRIES) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  async close(): Promise<void> {
    this.flush();
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }

  /** Serializes the entries recorded so far into the current file, rotating it as it fills. */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const entries = this.pending;
    this.pending = [];
    for (const [event, extra] of entries) {
      if (!this.stream) break;
      this.bytes += this.append(historyLine(event, extra));
      this.entries += 1;
      if (this.full()) this.rotate();
      else if (++this.sinceCheck >= ROTATION_CHECK_EVERY && Date.now() - this.checkedAt >= ROTATION_CHECK_MS) this.followRotation();
    }
    this.writeBatch();
  }

  /** Adds a line to the batch (a line larger than a batch is written on its own); returns its bytes. */
  private append(line: string): number {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: with that much room left, the line fits whole.
    const room = line.length * 3;
    if (this.batch && this.batch.length - this.batchBytes < room) this.writeBatch();
    if (room > BATCH_BYTES) {
      const alone = Buffer.from(line);
      this.stream?.write(alone);
      return alone.length;
    }
    this.batch ??= Buffer.allocUnsafe(BATCH_BYTES);
    const bytes = this.batch.write(line, this.batchBytes);
    this.batchBytes += bytes;
    return bytes;
  }

  /** Hands the encoded lines to the current file's stream. */
  private writeBatch(): void {
    if (!this.batch || this.batchBytes === 0) return;
    const used = this.batch.subarray(0, this.batchBytes);
    this.batchBytes = 0;
    // A mostly empty batch goes as a copy and the buffer is kept for the next lines: a slow disk then
    // holds the bytes waiting (which MAX_UNWRITTEN_BYTES bounds), not a 1 MiB buffer per write.
    if (used.length < this.batch.length / 2) return void this.stream?.write(Buffer.from(used));
    this.stream?.write(used);
    this.batch = undefined;
  }

  /** Newest last. */
  async list(): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    for (const line of [...(await readLines(this.previous)), ...(await readLines(this.file))]) {
      try {
        out.push(JSON.parse(line) as HistoryEntry);
      } catch {
        // A line cut short by a crash: skip it.
      }
    }
    return out;
  }

  private full(): boolean {
    return this.entries >= this.limits.maxEntries || this.bytes >= this.limits.maxBytes;
  }

  /** Opened synchronously, so a rotation is complete when it returns and the order of entries holds. */
  private openStream(): WriteStream {
    const fd = openSync(this.file, 'a', 0o600);
    // An existing file keeps the mode it had: history holds senders' headers, so 0600 whatever it was.
    fchmodSync(fd, 0o600);
    const { ino } = fstatSync(fd);
    const stream = createWriteStream(this.file, { fd });
    stream.on('error', (error) => {
      if (this.stream === stream) this.stream = undefined;
      this.onProblem(`history: cannot write ${this.file} (${error.message}); deliveries go on without it`);
    });
    this.inode = ino;
    return stream;
  }

  /**
   * The current file becomes `.1` and a new one starts. What the old stream still buffers lands in
   * its file, `.1` once renamed: nothing is lost and the order holds. Two cheap system calls per
   * rotation, once every `maxEntries` deliveries at most.
   */
  private rotate(): void {
    // What was recorded before the rotation belongs to the file that becomes `.1`.
    this.writeBatch();
    this.entries = this.bytes = 0;
    const old = this.stream!;
    try {
      renameSync(this.file, this.previous);
      this.stream = this.openStream();
    } catch (error) {
      this.onProblem(`history: cannot rotate ${this.file} (${(error as Error).message})`);
      return;
    }
    old.end();
  }

  /** Another listener with the same data dir rotated the file: write to the new one from now on. */
  private followRotation(): void {
    this.sinceCheck = 0;
    this.checkedAt = Date.now();
    const old = this.stream!;
    const ours = this.inode;
    stat(this.file).then(
      (current) => ours !== current.ino && this.switchTo(old),
      () => this.switchTo(old),
    );
  }

  private switchTo(old: WriteStream): void {
    if (this.stream !== old) return;
    try {
      this.stream = this.openStream();
    } catch {
      return;
    }
    this.entries = this.bytes = 0;
    old.end();
  }
}

/**
 * An entry as one JSON line, the same bytes as `JSON.stringify(entry)`: the base64 body (most of the
 * line) is put in as it is, since it has nothing to escape and quoting it was the dearest part.
 */
export function historyLine(event: RelayEvent, extra: DeliveryFields): string {
  const head = JSON.stringify({
    id: event.id,
    seq: event.seq,
    channel: event.channel,
    receivedAt: event.receivedAt,
    method: event.method,
    path: event.path,
    query: event.query,
    headers: event.headers,
  });
  const tail = JSON.stringify(extra);
  return `${head.slice(0, -1)},"body":"${event.body.toString('base64')}"${tail === '{}' ? '}' : `,${tail.slice(1)}`}\n`;
}

/** The file's lines, or none when it is missing or unreadable. */
async function readLines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Cuts a file over `maxBytes` to its last whole lines within that size, reading only those bytes. */
async function keepNewest(file: string, maxBytes: number): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return;
  }
  if (size <= maxBytes) return;
  const handle = await open(file, 'r');
  const tail = Buffer.alloc(maxBytes);
  try {
    await handle.read(tail, 0, maxBytes, size - maxBytes);
  } finally {
    await handle.close();
  }
  const firstWhole = tail.indexOf(0x0a) + 1;
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, tail.subarray(firstWhole), { mode: 0o600 });
  await rename(temp, file);
}
