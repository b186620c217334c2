import type { ChannelRecord } from '../../store.js';
import { readFully, writeFully, type LogFs, type LogHandle } from './log-fs.js';
import { checkedRecord, encodeRecord, FILE_HEADER, jsonPayload, KIND_ACK, KIND_CHANNEL, KIND_CURSOR, type LogFormat } from './record-codec.js';

/** What one channel keeps through a compaction; `events` are where their records are now. */
export interface ChannelPlan {
  record: ChannelRecord;
  nextSeq: number;
  ackedThrough: number;
  ackedAbove: readonly number[];
  events: readonly { offset: number; length: number }[];
}

const FLUSH_AT = 1024 * 1024;

/**
 * Writes a new log at `target` holding only `plan`, in format 2, and syncs it. Returns its open
 * handle, its size and where each kept event now is (in plan order; a re-framed record may change size). On any failure the partial
 * file is removed and the error thrown: the current log is never touched.
 */
export async function writeCompactLog(
  fs: LogFs,
  source: LogHandle,
  format: LogFormat,
  target: string,
  plan: readonly ChannelPlan[],
): Promise<{ handle: LogHandle; size: number; moved: { offset: number; length: number }[][] }> {
  const handle = await fs.open(target, 'wx+');
  try {
    let size = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const add = async (record: Buffer) => {
      pending.push(record);
      pendingBytes += record.length;
      size += record.length;
      if (pendingBytes < FLUSH_AT) return;
      await writeFully(handle, Buffer.concat(pending), size - pendingBytes);
      pending = [];
      pendingBytes = 0;
    };
    const moved: { offset: number; length: number }[][] = [];
    await add(FILE_HEADER);
    for (const channel of plan) {
      // Order matters on replay: events first, then the cursor, then acks above it.
      await add(encodeRecord(KIND_CHANNEL, jsonPayload(channel.record)));
      const places: { offset: number; length: number }[] = [];
      for (const event of channel.events) {
        const { kind, payload } = checkedRecord(await readFully(source, event.length, event.offset), format, event.offset);
        const record = encodeRecord(kind, payload);
        places.push({ offset: size, length: record.length });
        await add(record);
      }
      moved.push(places);
      await add(encodeRecord(KIND_CURSOR, jsonPayload({ c: channel.record.id, next: channel.nextSeq, acked: channel.ackedThrough })));
      for (const seq of channel.ackedAbove) await add(encodeRecord(KIND_ACK, jsonPayload({ c: channel.record.id, s: seq })));
    }
    if (pendingBytes) await writeFully(handle, Buffer.concat(pending), size - pendingBytes);
    await handle.datasync();
    return { handle, size, moved };
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.unlink(target).catch(() => {});
    throw error;
  }
}
