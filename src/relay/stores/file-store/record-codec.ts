import { crc32 } from 'node:zlib';
import type { RelayEvent } from '../../protocol.js';

/**
 * relay.log, format 2: an 8-byte file header, then records framed as
 * [u8 kind][u32 payload length][u32 crc32 of payload][u32 crc32 of the 9 bytes before it][payload].
 * The head's own checksum lets a reader find the next whole record after a damaged one.
 * Format 1 (no file header, [u8 kind][u32 length][payload], no checksums) is still read, and
 * rewritten as format 2 at start.
 */
export const FILE_HEADER = Buffer.from([0x57, 0x48, 0x52, 0x4c, 0x4f, 0x47, 0x00, 0x02]); // "WHRLOG" 0 2
export const RECORD_HEAD = 13;
export const LEGACY_RECORD_HEAD = 5;
/** Above any record the relay writes (bodies are capped far below), so a wild length is damage. */
export const MAX_RECORD_PAYLOAD = 1024 * 1024 * 1024;

export const KIND_CHANNEL = 0x43; // 'C': ChannelRecord JSON
export const KIND_EVENT = 0x45; // 'E': [u32 header length][header JSON][body]
export const KIND_ACK = 0x41; // 'A': {"c": channel, "s": seq} JSON
export const KIND_CURSOR = 0x53; // 'S': {"c", "next", "acked"}: written by compaction
export const KIND_DROP = 0x44; // 'D': {"c": channel}: the channel expired or was deleted, with all it held
export const RECORD_KINDS = [KIND_CHANNEL, KIND_EVENT, KIND_ACK, KIND_CURSOR, KIND_DROP];
const KINDS = new Set(RECORD_KINDS);

export const isRecordKind = (kind: number) => KINDS.has(kind);

export type LogFormat = 1 | 2;

/** Which format a log starting with `start` is in; undefined when it is no relay log at all. */
export function detectFormat(start: Buffer): LogFormat | undefined {
  if (start.length >= FILE_HEADER.length && start.subarray(0, FILE_HEADER.length).equals(FILE_HEADER)) return 2;
  if (start.length > 0 && isRecordKind(start[0]!)) return 1;
  return undefined;
}

/** A format-2 record. */
export function encodeRecord(kind: number, payload: Buffer): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEAD + payload.length);
  record.writeUInt8(kind, 0);
  record.writeUInt32BE(payload.length, 1);
  record.writeUInt32BE(crc32(payload), 5);
  record.writeUInt32BE(crc32(record.subarray(0, 9)), 9);
  payload.copy(record, RECORD_HEAD);
  return record;
}

export interface RecordHead {
  kind: number;
  length: number;
  payloadCrc: number;
}

/** The head at `at`, or undefined when those bytes are not the head of a record. */
export function readHead(buf: Buffer, at: number, format: LogFormat): RecordHead | undefined {
  const kind = buf[at]!;
  if (!isRecordKind(kind)) return undefined;
  const length = buf.readUInt32BE(at + 1);
  if (format === 1) return { kind, length, payloadCrc: -1 };
  if (length > MAX_RECORD_PAYLOAD || buf.readUInt32BE(at + 9) !== crc32(buf.subarray(at, at + 9))) return undefined;
  return { kind, length, payloadCrc: buf.readUInt32BE(at + 5) };
}

export const headLength = (format: LogFormat) => (format === 2 ? RECORD_HEAD : LEGACY_RECORD_HEAD);

/** Whether a payload is the one its head was written for (format 1 has no checksum to compare). */
export const payloadIntact = (head: RecordHead, payload: Buffer) => head.payloadCrc === -1 || crc32(payload) === head.payloadCrc;

/** The record held by `bytes` (read from `offset`), checked against its checksums; throws when they differ. */
export function checkedRecord(bytes: Buffer, format: LogFormat, offset: number): { kind: number; payload: Buffer } {
  const head = bytes.length >= headLength(format) ? readHead(bytes, 0, format) : undefined;
  const payload = bytes.subarray(headLength(format));
  if (!head || head.length !== payload.length || !payloadIntact(head, payload)) {
    throw new Error(`the record at byte ${offset} no longer matches its checksum`);
  }
  return { kind: head.kind, payload };
}

export const jsonPayload = (value: unknown) => Buffer.from(JSON.stringify(value));

export function eventPayload(event: RelayEvent): Buffer {
  const { body, ...header } = event;
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(json.length, 0);
  return Buffer.concat([length, json, body]);
}

export type EventHeader = Omit<RelayEvent, 'body'>;

/** The event's fields, and its body as a view into `payload` (not copied). */
export function splitEvent(payload: Buffer): { header: EventHeader; body: Buffer } {
  const headerLength = payload.readUInt32BE(0);
  const header = JSON.parse(payload.subarray(4, 4 + headerLength).toString()) as EventHeader;
  return { header, body: payload.subarray(4 + headerLength) };
}

/** A stored event; its body is a view into `payload` (no copy: events read back are sent and dropped). */
export function decodeEvent(payload: Buffer): RelayEvent {
  const { header, body } = splitEvent(payload);
  return { ...header, body };
}
