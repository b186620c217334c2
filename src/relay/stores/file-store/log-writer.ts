import { writeFully, type LogHandle } from './log-fs.js';

/** One record to append; its bytes are built when its batch is formed, so seqs follow write order. */
export interface WriteItem {
  prepare(): Buffer;
  /** The record is written (and on disk, with fsync) at `offset`. */
  done(offset: number, length: number): void;
  /** Nothing of it is in the log. Called for a failed batch's items in reverse order. */
  failed(error: unknown): void;
}

/**
 * Appends records with group commit: items queued while a batch is written go out together in the
 * next one, with one write and one fdatasync. A batch is written whole or not at all: on any error
 * the file is cut back to the last whole record, so nothing later lands behind a torn one.
 */
export class LogWriter {
  private queue: WriteItem[] = [];
  private flushing: Promise<void> | undefined;
  /** Bytes past `size` may hold a failed batch that could not be cut off yet. */
  private dirty = false;
  private closed = false;

  constructor(
    private handle: LogHandle,
    /** Where the next record goes: the end of the last whole one. */
    public size: number,
    private readonly sync: boolean,
    private readonly afterBatch: () => Promise<void>,
  ) {}

  push(item: WriteItem): void {
    if (this.closed) return item.failed(new Error('the store is closed'));
    this.queue.push(item);
    void this.flush();
  }

  /** Continues in another file (after compaction), from its end. */
  switchTo(handle: LogHandle, size: number): void {
    this.handle = handle;
    this.size = size;
    this.dirty = false;
  }

  /** Writes what is queued; resolves once the queue is empty. */
  async flush(): Promise<void> {
    // An item pushed after a drain saw the queue empty, but before it settled, finds `flushing` still
    // set: the loop starts the next drain for it rather than leave it queued.
    while (this.flushing || this.queue.length) {
      this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
      await this.flushing;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch: { item: WriteItem; data: Buffer }[] = [];
      for (const item of this.queue.splice(0)) {
        try {
          batch.push({ item, data: item.prepare() });
        } catch (error) {
          item.failed(error);
        }
      }
      await this.writeBatch(batch);
      await this.afterBatch();
    }
  }

  private async writeBatch(batch: readonly { item: WriteItem; data: Buffer }[]): Promise<void> {
    if (batch.length === 0) return;
    const start = this.size;
    try {
      if (this.dirty) {
        await this.handle.truncate(start);
        this.dirty = false;
      }
      this.dirty = true;
      await writeFully(this.handle, batch.length === 1 ? batch[0]!.data : Buffer.concat(batch.map((b) => b.data)), start);
      if (this.sync) await this.handle.datasync();
    } catch (error) {
      try {
        await this.handle.truncate(start);
        this.dirty = false;
      } catch {
        // Retried before the next batch is written; until then nothing is appended.
      }
      for (let i = batch.length - 1; i >= 0; i--) batch[i]!.item.failed(error);
      return;
    }
    this.dirty = false;
    let offset = start;
    for (const { item, data } of batch) {
      item.done(offset, data.length);
      offset += data.length;
    }
    this.size = offset;
  }
}
