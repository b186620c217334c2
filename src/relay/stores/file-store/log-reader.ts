import type { LogHandle } from './log-fs.js';
import { headLength, payloadIntact, readHead, RECORD_KINDS, type LogFormat } from './record-codec.js';

/** Read-ahead size: memory stays bounded by this and the largest record, whatever the log's size. */
const CHUNK = 1024 * 1024;

export type LogItem =
  /** A whole record whose checksums match; `payload` is valid until the next item is read. */
  | { type: 'record'; kind: number; payload: Buffer; offset: number; length: number }
  /** Bytes between two whole records that are no record (corruption), `from` inclusive, `to` exclusive. */
  | { type: 'damaged'; from: number; to: number }
  /**
   * Bytes after the last whole record. `torn` when they are the start of a record cut short by a
   * crash (a valid head claiming more bytes than the file holds); otherwise they are damage too.
   */
  | { type: 'tail'; from: number; torn: boolean };

/** Holds a window of the file and slides it forward, reading as little as each step needs. */
class Window {
  private buf = Buffer.alloc(0);
  private start = 0;
  constructor(
    private readonly handle: LogHandle,
    readonly size: number,
  ) {}

  /** Bytes [position, position + length), or undefined when the file ends before them. */
  async bytes(position: number, length: number): Promise<Buffer | undefined> {
    if (position + length > this.size) return undefined;
    const end = this.start + this.buf.length;
    if (position < this.start || position + length > end) {
      const wanted = Math.min(Math.max(CHUNK, length), this.size - position);
      const next = Buffer.allocUnsafe(wanted);
      let have = 0;
      if (position >= this.start && position < end) have = this.buf.copy(next, 0, position - this.start);
      while (have < wanted) {
        const read = await this.handle.read(next.subarray(have), position + have);
        if (read <= 0) throw new Error(`the file ended at byte ${position + have} while ${this.size} bytes were expected (changed while read?)`);
        have += read;
      }
      this.buf = next;
      this.start = position;
    }
    return this.buf.subarray(position - this.start, position - this.start + length);
  }

  /** The first position at or after `position` holding a byte that can start a record (else the end). */
  async nextRecordStart(position: number): Promise<number> {
    for (let at = position; at < this.size; ) {
      const chunk = (await this.bytes(at, Math.min(CHUNK, this.size - at)))!;
      // One native search per kind byte: a long run of damage (zeroed blocks) is skipped at memchr speed.
      const found = Math.min(...RECORD_KINDS.map((kind) => chunk.indexOf(kind)).map((i) => (i < 0 ? Infinity : i)));
      if (found !== Infinity) return at + found;
      at += chunk.length;
    }
    return this.size;
  }
}

/**
 * Every record of a log from `from` to its end, streamed. After damage, the reader moves on byte by
 * byte to the next position holding a whole record (both checksums match), so one bad byte costs
 * one record, not the rest of the log. Format 1 has no checksums: damage there ends the scan.
 * Read errors are thrown, never taken as the end of the log.
 */
export async function* readLog(handle: LogHandle, format: LogFormat, from: number): AsyncGenerator<LogItem> {
  const window = new Window(handle, await handle.size());
  const head = headLength(format);
  let position = from;
  let damagedFrom: number | undefined;
  let torn = false;
  while (position < window.size) {
    const headBytes = await window.bytes(position, head);
    // Fewer bytes left than a head holds, right after a whole record: an append cut short.
    if (!headBytes && damagedFrom === undefined) torn = true;
    const parsed = headBytes && readHead(headBytes, 0, format);
    if (parsed) {
      const payload = await window.bytes(position + head, parsed.length);
      if (payload && payloadIntact(parsed, payload)) {
        // Format 1 cannot tell a valid-looking record inside damage from a real one: trust it only
        // when nothing before it was damaged.
        if (damagedFrom === undefined || format === 2) {
          if (damagedFrom !== undefined) yield { type: 'damaged', from: damagedFrom, to: position };
          damagedFrom = undefined;
          yield { type: 'record', kind: parsed.kind, payload, offset: position, length: head + parsed.length };
          position += head + parsed.length;
          continue;
        }
      }
      // A head whose record runs past the end, with nothing damaged before it: a crash mid-append.
      if (!payload && damagedFrom === undefined) torn = true;
    }
    damagedFrom ??= position;
    if (format === 1 || torn) break;
    position = await window.nextRecordStart(position + 1);
  }
  if (damagedFrom !== undefined) yield { type: 'tail', from: damagedFrom, torn };
}
