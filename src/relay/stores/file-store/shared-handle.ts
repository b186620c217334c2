import type { LogHandle } from './log-fs.js';
import type { LogFormat } from './record-codec.js';

/**
 * The open log, shared by the writer and readers. Compaction replaces it; the old one is closed
 * only once the reads that started on it are done, so no read sees the new file with old offsets.
 */
export class SharedHandle {
  private users = 0;
  private retired = false;

  constructor(
    readonly handle: LogHandle,
    readonly format: LogFormat,
  ) {}

  async use<T>(read: (handle: LogHandle) => Promise<T>): Promise<T> {
    this.users += 1;
    try {
      return await read(this.handle);
    } finally {
      this.users -= 1;
      if (this.retired && this.users === 0) await this.handle.close().catch(() => {});
    }
  }

  /** Closes now, or after the last read in progress. */
  async retire(): Promise<void> {
    if (this.retired) return;
    this.retired = true;
    if (this.users === 0) await this.handle.close();
  }
}
