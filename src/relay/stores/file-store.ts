import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeliveryReport, RelayEvent } from '../protocol.js';
import type { ChannelRecord, NewEvent, StoreLimits } from '../store.js';
import { MemoryStore } from './memory-store.js';

/**
 * Record framing in relay.log: [u8 kind][u32 length][payload]. A record cut short by a crash is
 * dropped (and the file truncated there) when the log is replayed.
 */
const KIND_CHANNEL = 0x43; // 'C': ChannelRecord JSON
const KIND_EVENT = 0x45; // 'E': [u32 header length][header JSON][body]
const KIND_ACK = 0x41; // 'A': {"c": channel, "s": seq} JSON
const KIND_CURSOR = 0x53; // 'S': {"c", "next", "acked"}: written by compaction

const COMPACT_MIN_BYTES = 64 * 1024 * 1024;

export type FsyncPolicy = 'always' | 'never';

export interface FileStoreOptions {
  dir: string;
  limits?: Partial<StoreLimits>;
  /**
   * always (default): an event is answered 200 only after its record is on disk (fdatasync, batched
   * across concurrent requests). never: written to the OS, which survives a killed process but not a
   * power cut.
   */
  fsync?: FsyncPolicy;
  /** Rewrite the log when it is this many times larger than what it must keep. */
  compactRatio?: number;
}

function frame(kind: number, payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(5);
  head.writeUInt8(kind, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

function eventRecord(event: RelayEvent): Buffer {
  const { body, ...header } = event;
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(json.length, 0);
  return frame(KIND_EVENT, Buffer.concat([length, json, body]));
}

const jsonRecord = (kind: number, value: unknown) => frame(kind, Buffer.from(JSON.stringify(value)));

/**
 * A durable store: the in-memory index of MemoryStore, rebuilt at start from an append-only log.
 * Writes are group-committed: requests arriving together share one write and one fdatasync.
 */
export class FileStore extends MemoryStore {
  private readonly file: string;
  private handle: FileHandle | undefined;
  private readonly fsync: FsyncPolicy;
  private readonly compactRatio: number;
  private queue: { data: Buffer; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private logBytes = 0;
  private replaying = false;
  /** Log size at which compaction is next considered. */
  private compactAt = COMPACT_MIN_BYTES;

  private constructor(options: FileStoreOptions) {
    super(options.limits);
    this.file = join(options.dir, 'relay.log');
    this.fsync = options.fsync ?? 'always';
    this.compactRatio = options.compactRatio ?? 4;
  }

  /** Opens (or creates) the store in `dir`, replaying its log. */
  static async open(options: FileStoreOptions): Promise<FileStore> {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const store = new FileStore(options);
    await store.replay();
    store.compactIfWorthIt();
    store.handle = await open(store.file, 'a', 0o600);
    return store;
  }

  protected override get restoring(): boolean {
    return this.replaying;
  }

  override async createChannel(channel: ChannelRecord): Promise<void> {
    if (await this.getChannel(channel.id)) return;
    await super.createChannel(channel);
    if (!this.replaying) await this.write(jsonRecord(KIND_CHANNEL, channel));
  }

  override async append(event: NewEvent): Promise<RelayEvent> {
    const stored = await super.append(event);
    if (!this.replaying) await this.write(eventRecord(stored));
    return stored;
  }

  override async ack(channel: string, seq: number, report: DeliveryReport): Promise<void> {
    await super.ack(channel, seq, report);
    if (!this.replaying) {
      // Acks need no fsync of their own: losing one means a redelivery, never a lost event.
      this.queue.push({ data: jsonRecord(KIND_ACK, { c: channel, s: seq }), resolve: () => {}, reject: () => {} });
      void this.flush();
    }
  }

  override async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
    await super.close();
  }

  private write(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      void this.flush();
    });
  }

  /** One writer at a time; whatever queued meanwhile goes in the next batch. */
  private async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      while (this.queue.length && this.handle) {
        const batch = this.queue;
        this.queue = [];
        const data = Buffer.concat(batch.map((item) => item.data));
        try {
          await this.handle.write(data);
          if (this.fsync === 'always') await this.handle.datasync();
          this.logBytes += data.length;
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
        if (this.logBytes > this.compactAt) await this.compactWhileOpen();
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async compactWhileOpen(): Promise<void> {
    await this.handle?.close();
    this.compactIfWorthIt();
    this.handle = await open(this.file, 'a', 0o600);
    this.compactAt = Math.max(COMPACT_MIN_BYTES, this.logBytes * 2);
  }

  private async replay(): Promise<void> {
    let data: Buffer;
    try {
      data = readFileSync(this.file);
    } catch {
      return;
    }
    this.replaying = true;
    let offset = 0;
    try {
      while (offset + 5 <= data.length) {
        const kind = data.readUInt8(offset);
        const length = data.readUInt32BE(offset + 1);
        if (offset + 5 + length > data.length) break;
        const payload = data.subarray(offset + 5, offset + 5 + length);
        await this.apply(kind, payload);
        offset += 5 + length;
      }
    } finally {
      this.replaying = false;
    }
    if (offset < data.length) {
      // A torn final record from a crash: cut it off so new records follow a whole one.
      const fd = openSync(this.file, 'r+');
      ftruncateSync(fd, offset);
      closeSync(fd);
    }
    this.logBytes = offset;
  }

  private async apply(kind: number, payload: Buffer): Promise<void> {
    if (kind === KIND_CHANNEL) return this.createChannel(JSON.parse(payload.toString()) as ChannelRecord);
    if (kind === KIND_ACK) {
      const { c, s } = JSON.parse(payload.toString()) as { c: string; s: number };
      return this.ack(c, s, { ok: true, durationMs: 0 });
    }
    if (kind === KIND_CURSOR) {
      const { c, next, acked } = JSON.parse(payload.toString()) as { c: string; next: number; acked: number };
      return this.restoreCursor(c, next, acked);
    }
    if (kind === KIND_EVENT) {
      const headerLength = payload.readUInt32BE(0);
      const header = JSON.parse(payload.subarray(4, 4 + headerLength).toString()) as Omit<RelayEvent, 'body'>;
      this.restoreEvent({ ...header, body: Buffer.from(payload.subarray(4 + headerLength)) });
    }
  }

  /** Rewrites the log with only what must be kept, when it has grown well past that. */
  private compactIfWorthIt(): void {
    const snapshot = this.snapshot();
    const records: Buffer[] = [];
    for (const log of snapshot) {
      // Order matters on replay: events first, then the cursor, then acks above it.
      records.push(jsonRecord(KIND_CHANNEL, log.record));
      for (const event of log.events) if (event.seq > log.ackedThrough) records.push(eventRecord(event));
      records.push(jsonRecord(KIND_CURSOR, { c: log.record.id, next: log.nextSeq, acked: log.ackedThrough }));
      for (const seq of log.ackedAbove) records.push(jsonRecord(KIND_ACK, { c: log.record.id, s: seq }));
    }
    const kept = records.reduce((n, r) => n + r.length, 0);
    let size = 0;
    try {
      size = statSync(this.file).size;
    } catch {
      // No log yet.
    }
    if (size <= kept * this.compactRatio) return;
    const temp = `${this.file}.compact`;
    const fd = openSync(temp, 'w', 0o600);
    for (const record of records) writeSync(fd, record);
    fdatasyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.file);
    this.logBytes = kept;
  }
}
