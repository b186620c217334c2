import { open as openFile, rename, unlink } from 'node:fs/promises';

/**
 * The few file operations the log needs, passed in so tests can make a disk fail (full, unreadable)
 * at an exact point. Positions are explicit: nothing depends on a file's current offset.
 */
export interface LogHandle {
  /** Reads into `buffer` from `position`; fewer bytes only at the end of the file. */
  read(buffer: Buffer, position: number): Promise<number>;
  /** Writes from `buffer` at `position`; may write fewer bytes than asked (a disk filling up). */
  write(buffer: Buffer, position: number): Promise<number>;
  datasync(): Promise<void>;
  truncate(size: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface LogFs {
  /** "r+": an existing file; "wx+": a new one, never an existing one. */
  open(path: string, flags: 'r+' | 'wx+'): Promise<LogHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes a rename in `dir` durable. */
  syncDir(dir: string): Promise<void>;
}

export const nodeLogFs: LogFs = {
  async open(path, flags) {
    const handle = await openFile(path, flags, 0o600);
    return {
      read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
      write: async (buffer, position) => (await handle.write(buffer, 0, buffer.length, position)).bytesWritten,
      datasync: () => handle.datasync(),
      truncate: (size) => handle.truncate(size),
      size: async () => (await handle.stat()).size,
      close: () => handle.close(),
    };
  },
  rename,
  unlink,
  async syncDir(dir) {
    const handle = await openFile(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** Writes all of `data` at `position`, or throws: a short write is continued, never ignored. */
export async function writeFully(handle: LogHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const written = await handle.write(data.subarray(done), position + done);
    if (written <= 0) throw Object.assign(new Error('no space left on device (a write made no progress)'), { code: 'ENOSPC' });
    done += written;
  }
}

/** Reads exactly `length` bytes at `position`, or throws when the file ends first. */
export async function readFully(handle: LogHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const read = await handle.read(buffer.subarray(done), position + done);
    if (read <= 0) throw new Error(`the file ends before byte ${position + length}`);
    done += read;
  }
  return buffer;
}
