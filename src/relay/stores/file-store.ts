import { dirname, join } from 'node:path';
import { WhcliError } from '../../errors.js';
import type { DeliveryReport, RelayEvent } from '../protocol.js';
import { prepareStoreDir } from '../store-dir.js';
import { eventBytes, type ChannelRecord, type NewEvent, type RelayStore, type StoreLimits } from '../store.js';
import { ChannelIndex } from './file-store/channel-index.js';
import { writeCompactLog } from './file-store/compactor.js';
import { nodeLogFs, readFully, writeFully, type LogFs, type LogHandle } from './file-store/log-fs.js';
import { readLog } from './file-store/log-reader.js';
import { LogWriter } from './file-store/log-writer.js';
import {
  checkedRecord,
  decodeEvent,
  detectFormat,
  encodeRecord,
  eventPayload,
  FILE_HEADER,
  jsonPayload,
  KIND_ACK,
  KIND_CHANNEL,
  KIND_CURSOR,
  KIND_DROP,
  KIND_EVENT,
  splitEvent,
  type LogFormat,
} from './file-store/record-codec.js';
import { SharedHandle } from './file-store/shared-handle.js';
import { KeyFile } from './key-file.js';

const COMPACT_MIN_BYTES = 64 * 1024 * 1024;
/** What one readAfter reads back at most (it returns at least one event, whatever its size). */
const READ_BATCH_BYTES = 16 * 1024 * 1024;
/** Adjacent records read back in one go, up to this many bytes. */
const READ_RUN_BYTES = 4 * 1024 * 1024;

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
  /** While running, compaction is considered once the log is past this size (default 64 MiB). */
  compactMinBytes?: number;
  /** What the operator should know: damage found at start, a compaction that failed. */
  log?: (line: string) => void;
  /** File operations; tests pass one that fails like a full or broken disk. */
  fs?: LogFs;
}

/** Ranges in order, touching ones joined: one side file per stretch of damage. */
function mergeRanges(ranges: readonly { from: number; to: number }[]): { from: number; to: number }[] {
  const merged: { from: number; to: number }[] = [];
  for (const range of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else merged.push({ ...range });
  }
  return merged;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';
const reason = (error: unknown) => (error as Error)?.message ?? String(error);

/**
 * A durable store: an append-only log on disk and, in memory, only an index of where each event's
 * record is. Bodies are read back from the log when delivered, so memory does not grow with the
 * backlog. Writes are group-committed; an append resolves only once its record is whole on disk.
 */
export class FileStore implements RelayStore {
  private readonly file: string;
  readonly keys: KeyFile;
  private readonly fs: LogFs;
  private readonly index: ChannelIndex;
  private readonly sync: boolean;
  private readonly compactRatio: number;
  private readonly log: (line: string) => void;
  private current!: SharedHandle;
  private writer!: LogWriter;
  /** Log size at which compaction is next considered. */
  private compactAt: number;
  private readonly compactMinBytes: number;

  private constructor(options: FileStoreOptions) {
    this.file = join(options.dir, 'relay.log');
    this.keys = new KeyFile(options.dir);
    this.fs = options.fs ?? nodeLogFs;
    this.index = new ChannelIndex(options.limits);
    this.sync = (options.fsync ?? 'always') === 'always';
    this.compactRatio = options.compactRatio ?? 4;
    this.log = options.log ?? (() => {});
    this.compactMinBytes = options.compactMinBytes ?? COMPACT_MIN_BYTES;
    this.compactAt = this.compactMinBytes;
  }

  /**
   * Opens (or creates) the store in `dir`, reading its whole log first. Throws rather than start
   * when the log cannot be read to its end: compacting an index built from part of a log would
   * overwrite the rest.
   */
  static async open(options: FileStoreOptions): Promise<FileStore> {
    prepareStoreDir(options.dir, `--store file:${options.dir}`);
    const store = new FileStore(options);
    await store.start();
    return store;
  }

  async createChannel(channel: ChannelRecord): Promise<void> {
    if (this.index.channels.has(channel.id)) return;
    this.index.checkChannelRoom();
    await this.append1(encodeRecord(KIND_CHANNEL, jsonPayload(channel)));
    this.index.add(channel);
  }

  async countChannels(owner: string): Promise<number> {
    return (await this.listChannels(owner)).length;
  }

  async listChannels(owner: string): Promise<ChannelRecord[]> {
    return [...this.index.channels.values()].map((s) => s.record).filter((r) => r.owner === owner).sort((a, b) => a.createdAt - b.createdAt);
  }

  async getChannel(id: string): Promise<ChannelRecord | undefined> {
    return this.index.channels.get(id)?.record;
  }

  async append(event: NewEvent): Promise<RelayEvent> {
    const bytes = eventBytes(event);
    const state = this.index.reserve(event.channel, bytes);
    return new Promise((resolve, reject) => {
      let stored: RelayEvent | undefined;
      this.writer.push({
        prepare: () => {
          stored = { ...event, seq: state.nextSeq++ };
          return encodeRecord(KIND_EVENT, eventPayload(stored));
        },
        done: (offset, length) => {
          this.index.release(state, bytes);
          this.index.commit(state, { seq: stored!.seq, offset, length, receivedAt: stored!.receivedAt, bytes });
          resolve(stored!);
        },
        failed: (error) => {
          this.index.release(state, bytes);
          // The seq goes back to the next event: nothing of this one is in the log or the index.
          if (stored) state.nextSeq = stored.seq;
          reject(this.writeError(error));
        },
      });
    });
  }

  async readAfter(channel: string, afterSeq: number, limit: number): Promise<RelayEvent[]> {
    // Offsets are taken with the handle they belong to: compaction may move records meanwhile.
    const where = this.bounded(this.index.after(channel, afterSeq, limit)).map(({ seq, offset, length }) => ({ seq, offset, length }));
    if (where.length === 0) return [];
    const shared = this.current;
    const events = await shared.use(async (handle) => {
      const events: RelayEvent[] = [];
      for (let i = 0; i < where.length; ) {
        // A run of records lying back to back is read with one call.
        const start = where[i]!.offset;
        let end = start + where[i]!.length;
        let last = i + 1;
        while (last < where.length && where[last]!.offset === end && end + where[last]!.length - start <= READ_RUN_BYTES) end += where[last++]!.length;
        const run = await readFully(handle, end - start, start).catch((error) => {
          throw new Error(`cannot read the relay store ${this.file} at byte ${start}: ${reason(error)}`);
        });
        for (; i < last; i++) {
          const { seq, offset, length } = where[i]!;
          try {
            events.push(decodeEvent(checkedRecord(run.subarray(offset - start, offset - start + length), shared.format, offset).payload));
          } catch (error) {
            await this.damagedSinceStart(handle, channel, seq, offset, length, error);
          }
        }
      }
      return events;
    });
    // Nothing left but damage: look further, since an empty answer means "no more events".
    return events.length ? events : this.readAfter(channel, where.at(-1)!.seq, limit);
  }

  /** The first entries up to READ_BATCH_BYTES (at least one): the hub asks again for the rest. */
  private bounded<T extends { length: number }>(entries: T[]): T[] {
    let bytes = 0;
    const end = entries.findIndex((entry, i) => (bytes += entry.length) > READ_BATCH_BYTES && i > 0);
    return end < 0 ? entries : entries.slice(0, end);
  }

  /**
   * A record changed on disk after start: delivering nothing for it would stall the channel, so it is
   * set aside like damage found at start, reported, and counted as done.
   */
  private async damagedSinceStart(handle: LogHandle, channel: string, seq: number, offset: number, length: number, error: unknown) {
    const aside = await this.copyAside(handle, offset, offset + length);
    this.log(`relay store ${this.file}: event ${seq} of channel ${channel} at byte ${offset} is damaged (${reason(error)}); moved aside to ${aside} and skipped`);
    this.index.forget(channel, seq);
    this.writeAck(channel, seq);
  }

  async ack(channel: string, seq: number, _report: DeliveryReport): Promise<void> {
    if (this.index.ack(channel, seq)) this.writeAck(channel, seq);
  }

  /** Acks need no fsync of their own: losing one means a redelivery, never a lost event. */
  private writeAck(channel: string, seq: number): void {
    this.writer.push({ prepare: () => encodeRecord(KIND_ACK, jsonPayload({ c: channel, s: seq })), done: () => {}, failed: () => {} });
  }

  async ackedThrough(channel: string): Promise<number> {
    return this.index.channels.get(channel)?.ackedThrough ?? 0;
  }

  async stats() {
    return this.index.stats();
  }

  async touchChannels(ids: readonly string[]): Promise<void> {
    this.index.touch(ids);
  }

  async expireIdleChannels(idleMs: number): Promise<number> {
    const removed = this.index.expireIdle(idleMs);
    // Without an fsync of its own: a drop lost in a crash only means the channel expires again.
    for (const id of removed) this.writer.push({ prepare: () => encodeRecord(KIND_DROP, jsonPayload({ c: id })), done: () => {}, failed: () => {} });
    return removed.length;
  }

  /** Durable before it answers: a deleted channel must not come back at the next start. */
  async deleteChannel(id: string): Promise<boolean> {
    if (!this.index.channels.has(id)) return false;
    this.index.remove(id);
    await this.append1(encodeRecord(KIND_DROP, jsonPayload({ c: id })));
    return true;
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.current.retire();
    this.index.channels.clear();
  }

  /** Appends one record and waits until it is durable. */
  private append1(record: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.writer.push({ prepare: () => record, done: () => resolve(), failed: (error) => reject(this.writeError(error)) }),
    );
  }

  private writeError(error: unknown): Error {
    return new Error(`cannot write to the relay store ${this.file}: ${reason(error)}`);
  }

  private async start(): Promise<void> {
    await this.removeUnfinishedCompaction();
    let handle: LogHandle;
    let format: LogFormat;
    let damage: { from: number; to: number }[];
    let size: number;
    try {
      handle = await this.fs.open(this.file, 'r+').catch(async (error) => {
        if (!isMissing(error)) throw error;
        const created = await this.fs.open(this.file, 'wx+');
        await writeFully(created, FILE_HEADER, 0);
        await created.datasync();
        await this.fs.syncDir(dirname(this.file));
        return created;
      });
    } catch (error) {
      throw new WhcliError('WHCLI_ERR_RELAY', `cannot open the relay store ${this.file}: ${reason(error)}`);
    }
    try {
      ({ format, damage, size } = await this.replay(handle));
    } catch (error) {
      await handle.close().catch(() => {});
      throw new WhcliError(
        'WHCLI_ERR_RELAY',
        `cannot read the relay store ${this.file}: ${reason(error)}; not starting, so that nothing in it is overwritten`,
      );
    }
    try {
      size = await this.setAside(handle, damage, size);
    } catch (error) {
      await handle.close().catch(() => {});
      throw new WhcliError('WHCLI_ERR_RELAY', `cannot move damaged bytes of ${this.file} aside: ${reason(error)}; not starting, so that they are not lost`);
    }
    this.current = new SharedHandle(handle, format);
    this.writer = new LogWriter(handle, size, this.sync, () => this.afterBatch());
    if (format === 1) {
      // Records are appended in the current format only: the old log is rewritten first.
      try {
        await this.compact();
      } catch (error) {
        await handle.close().catch(() => {});
        throw new WhcliError('WHCLI_ERR_RELAY', `cannot rewrite the relay store ${this.file} in the current format: ${reason(error)}`);
      }
      this.log(`relay store ${this.file}: rewritten in the current record format (with checksums)`);
    } else {
      // Damage left in the log would be found again at every start; a rewrite leaves it out.
      await this.compactIfWorthIt(damage.length > 0);
    }
  }

  /** A compaction that never finished is no source of truth: the log it was made from still is. */
  private async removeUnfinishedCompaction(): Promise<void> {
    const temp = `${this.file}.compact`;
    try {
      await this.fs.unlink(temp);
      this.log(`relay store: removed ${temp}, left by a compaction that did not finish (${this.file} is complete without it)`);
    } catch (error) {
      if (!isMissing(error)) throw new WhcliError('WHCLI_ERR_RELAY', `cannot remove ${temp}: ${reason(error)}`);
    }
  }

  /** Rebuilds the index from the whole log, streamed. Returns the damaged ranges found (tail last). */
  private async replay(handle: LogHandle) {
    let size = await handle.size();
    if (size === 0) {
      await writeFully(handle, FILE_HEADER, 0);
      await handle.datasync();
      size = FILE_HEADER.length;
    }
    const start = await readFully(handle, Math.min(FILE_HEADER.length, size), 0);
    const format = detectFormat(start);
    if (!format) throw new Error(`it is not a whcli relay log (it starts with bytes ${start.toString('hex')})`);
    const damage: { from: number; to: number }[] = [];
    let orphans = 0;
    for await (const item of readLog(handle, format, format === 2 ? FILE_HEADER.length : 0)) {
      if (item.type === 'record') {
        try {
          if (!this.apply(item.kind, item.payload, item.offset, item.length)) {
            // Its channel's record was lost: no listener can ever claim it, but it is kept aside.
            orphans += 1;
            damage.push({ from: item.offset, to: item.offset + item.length });
          }
        } catch {
          // Whole and checksummed but not what the store writes: set aside like any damage.
          damage.push({ from: item.offset, to: item.offset + item.length });
        }
      } else if (item.type === 'damaged') {
        damage.push(item);
      } else {
        // A record cut short by a crash was never answered 200 (with fsync): it is cut. Anything else is kept aside.
        if (!(item.torn && format === 2)) damage.push({ from: item.from, to: size });
        if (item.torn) this.log(`relay store ${this.file}: cut a record torn by a crash at byte ${item.from}`);
        size = item.from;
      }
    }
    const lost = this.index.settle();
    if (lost) this.log(`relay store ${this.file}: ${lost} event(s) lost to damage are counted as done`);
    if (orphans) this.log(`relay store ${this.file}: ${orphans} event(s) of channels whose record is lost are set aside with the damage`);
    return { format, damage: mergeRanges(damage), size };
  }

  /** Applies one record to the index; false for an event of an unknown channel. */
  private apply(kind: number, payload: Buffer, offset: number, length: number): boolean {
    if (kind === KIND_CHANNEL) {
      const record = JSON.parse(payload.toString()) as ChannelRecord;
      if (typeof record.id !== 'string' || typeof record.tokenHash !== 'string') throw new Error('bad channel record');
      this.index.add(record);
    } else if (kind === KIND_ACK) {
      const { c, s } = JSON.parse(payload.toString()) as { c: string; s: number };
      if (typeof c !== 'string' || !Number.isInteger(s)) throw new Error('bad ack record');
      this.index.ack(c, s);
    } else if (kind === KIND_CURSOR) {
      const { c, next, acked } = JSON.parse(payload.toString()) as { c: string; next: number; acked: number };
      if (typeof c !== 'string' || !Number.isInteger(next) || !Number.isInteger(acked)) throw new Error('bad cursor record');
      this.index.restoreCursor(c, next, acked);
    } else if (kind === KIND_DROP) {
      const { c } = JSON.parse(payload.toString()) as { c: string };
      if (typeof c !== 'string') throw new Error('bad drop record');
      this.index.remove(c);
    } else if (kind === KIND_EVENT) {
      const { header, body } = splitEvent(payload);
      if (typeof header.channel !== 'string' || !Number.isInteger(header.seq) || typeof header.receivedAt !== 'number') {
        throw new Error('bad event record');
      }
      if (!this.index.channels.has(header.channel)) return false;
      this.index.restore(header.channel, { seq: header.seq, offset, length, receivedAt: header.receivedAt, bytes: eventBytes({ ...header, body }) });
    }
    return true;
  }

  /**
   * Copies each damaged range to relay.log.damaged-<offset> (synced) and reports it; cuts the tail.
   * Returns where the log now ends.
   */
  private async setAside(handle: LogHandle, damage: readonly { from: number; to: number }[], size: number): Promise<number> {
    for (const { from, to } of damage) {
      const aside = await this.copyAside(handle, from, to);
      this.log(
        `relay store ${this.file}: bytes ${from}-${to} are damaged (${to - from} bytes); moved aside to ${aside}, the records after them are kept`,
      );
    }
    if ((await handle.size()) > size) {
      await handle.truncate(size);
      await handle.datasync();
    }
    return size;
  }

  /**
   * Copies bytes [from, to) of the log to relay.log.damaged-<from> (a new name if that one is taken:
   * offsets repeat after a rewrite), synced; returns its path.
   */
  private async copyAside(handle: LogHandle, from: number, to: number): Promise<string> {
    let aside = `${this.file}.damaged-${from}`;
    let target: LogHandle | undefined;
    for (let n = 1; !target; n++) {
      target = await this.fs.open(aside, 'wx+').catch((error) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        aside = `${this.file}.damaged-${from}.${n}`;
        return undefined;
      });
    }
    try {
      for (let at = from; at < to; at += READ_RUN_BYTES) {
        await writeFully(target, await readFully(handle, Math.min(READ_RUN_BYTES, to - at), at), at - from);
      }
      await target.datasync();
    } finally {
      await target.close();
    }
    return aside;
  }

  private async afterBatch(): Promise<void> {
    if (this.writer.size <= this.compactAt) return;
    await this.compactIfWorthIt(false);
    this.compactAt = Math.max(this.compactMinBytes, this.writer.size * 2);
  }

  /** Compacts when the log is well past what it must keep, or when `force`d; survives a failure. */
  private async compactIfWorthIt(force: boolean): Promise<void> {
    let kept = FILE_HEADER.length;
    for (const state of this.index.channels.values()) {
      kept += 256 + state.ackedAbove.size * 32;
      for (const entry of state.entries) if (entry.seq > state.ackedThrough) kept += entry.length;
    }
    if (!force && this.writer.size <= kept * this.compactRatio) return;
    try {
      await this.compact();
    } catch (error) {
      this.log(`relay store ${this.file}: compaction failed (${reason(error)}); the log is kept as it is and appends go on`);
    }
  }

  /** Rewrites the log with only what must be kept, then continues in the new file. */
  private async compact(): Promise<void> {
    const states = [...this.index.channels.values()];
    for (const state of states) this.index.expire(state);
    const kept = states.map((state) => state.entries.filter((entry) => entry.seq > state.ackedThrough));
    const plan = states.map((state, i) => ({
      record: state.record,
      nextSeq: state.nextSeq,
      ackedThrough: state.ackedThrough,
      ackedAbove: [...state.ackedAbove],
      events: kept[i]!.map(({ offset, length }) => ({ offset, length })),
    }));
    const temp = `${this.file}.compact`;
    const old = this.current;
    const result = await old.use((source) => writeCompactLog(this.fs, source, old.format, temp, plan));
    try {
      await this.fs.rename(temp, this.file);
    } catch (error) {
      await result.handle.close().catch(() => {});
      await this.fs.unlink(temp).catch(() => {});
      throw error;
    }
    await this.fs.syncDir(dirname(this.file)).catch((error) => {
      this.log(`relay store ${this.file}: cannot sync its directory after compaction: ${reason(error)}`);
    });
    // From here on the new file is the log: point the index and the writer at it, with no await.
    states.forEach((state, i) => {
      if (this.index.channels.get(state.record.id) !== state) return; // expired meanwhile: its drop record follows
      const moved = new Map(kept[i]!.map((entry, n) => [entry, result.moved[i]![n]!]));
      const entries = state.entries.filter((entry) => moved.has(entry));
      for (const entry of entries) Object.assign(entry, moved.get(entry));
      this.index.replaceEntries(state, entries);
    });
    this.current = new SharedHandle(result.handle, 2);
    this.writer.switchTo(result.handle, result.size);
    await old.retire();
  }
}
