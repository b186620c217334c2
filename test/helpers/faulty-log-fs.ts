import { nodeLogFs, type LogFs, type LogHandle } from '../../src/relay/stores/file-store/log-fs.js';

const errno = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

/**
 * The real file system with faults switched on and off by the test, where a real disk would fail:
 * a disk that fills up (writes stop short, then fail with ENOSPC), fdatasync failing with EIO,
 * truncation refused, reads failing past a byte. Only files whose name matches `only` are affected.
 */
export class FaultyLogFs implements LogFs {
  /** Bytes that may still be written before the disk is "full"; Infinity for no limit. */
  spaceLeft = Infinity;
  failSync = false;
  failTruncate = false;
  /** Reads that reach this byte fail with EIO. */
  failReadsFrom = Infinity;
  only: RegExp = /./;
  readonly writes: { path: string; position: number; bytes: number }[] = [];
  /** Size of every read asked for, in order. */
  readonly reads: number[] = [];

  async open(path: string, flags: 'r+' | 'wx+'): Promise<LogHandle> {
    const real = await nodeLogFs.open(path, flags);
    if (!this.only.test(path)) return real;
    return {
      read: async (buffer, position) => {
        this.reads.push(buffer.length);
        if (position + buffer.length > this.failReadsFrom) throw errno('EIO', `i/o error, read at ${position}`);
        return real.read(buffer, position);
      },
      write: async (buffer, position) => {
        if (this.spaceLeft <= 0) throw errno('ENOSPC', 'no space left on device, write');
        const allowed = Math.min(buffer.length, this.spaceLeft);
        const written = await real.write(buffer.subarray(0, allowed), position);
        this.spaceLeft -= written;
        this.writes.push({ path, position, bytes: written });
        return written;
      },
      datasync: async () => {
        if (this.failSync) throw errno('EIO', 'i/o error, fdatasync');
        return real.datasync();
      },
      truncate: async (size) => {
        if (this.failTruncate) throw errno('EIO', 'i/o error, ftruncate');
        return real.truncate(size);
      },
      size: () => real.size(),
      close: () => real.close(),
    };
  }

  rename(from: string, to: string): Promise<void> {
    return nodeLogFs.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return nodeLogFs.unlink(path);
  }

  syncDir(dir: string): Promise<void> {
    return nodeLogFs.syncDir(dir);
  }
}
