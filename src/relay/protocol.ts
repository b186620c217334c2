/**
 * The relay <-> listener WebSocket protocol (docs/protocol.md). Control messages are JSON text
 * frames; events are binary frames so bodies travel as raw bytes, never re-encoded.
 */
export const PROTOCOL_VERSION = 1;
export const PROTOCOL_NAME = 'whcli.v1';

/** A request the relay received on a channel's ingress. */
export interface RelayEvent {
  seq: number;
  id: string;
  channel: string;
  /** Unix milliseconds. */
  receivedAt: number;
  method: string;
  /** Path after /c/<channel>, "" or starting with "/". */
  path: string;
  /** Query string without "?", "" when none. */
  query: string;
  /** Raw header pairs in arrival order; repeated headers appear repeatedly. */
  headers: [string, string][];
  body: Buffer;
}

/** Outcome of forwarding one event, as the listener reports it. */
export interface DeliveryReport {
  ok: boolean;
  status?: number;
  durationMs: number;
  headers?: Record<string, string | string[]>;
  /** At most MAX_REPORT_BODY characters of the handler's response. */
  body?: string;
  error?: { kind: string; message: string };
  /** The listener chose not to forward (filtered by --events, or already delivered). */
  skipped?: 'filtered' | 'duplicate' | 'rejected';
}

export const MAX_REPORT_BODY = 2048;

/**
 * Ingress request header by which a sender (`whcli trigger` through a listener) asks for the
 * handler's answer to its event instead of the relay's immediate 200; it is not stored or forwarded.
 */
export const RESPOND_HEADER = 'x-whcli-respond';

export interface Ack {
  seq: number;
  report: DeliveryReport;
}

export type ClientMessage =
  | { type: 'hello'; v: number; resume?: number; window?: number; client?: string }
  | ({ type: 'ack' } & Ack)
  /** Several acks in one frame: what a busy listener sends. */
  | { type: 'acks'; acks: Ack[] };

export type ServerMessage =
  | { type: 'ready'; v: number; channel: string; url: string; resumeFrom: number }
  | { type: 'error'; code: string; message: string };

type EventHeader = Omit<RelayEvent, 'body' | 'channel'>;

/** The length prefix and header JSON of an event; `sized` adds bodyLength, for batches. */
function headerBytes(event: RelayEvent, sized: boolean): Buffer {
  const header: EventHeader & { type: 'event'; bodyLength?: number } = {
    type: 'event',
    seq: event.seq,
    id: event.id,
    receivedAt: event.receivedAt,
    method: event.method,
    path: event.path,
    query: event.query,
    headers: event.headers,
  };
  if (sized) header.bodyLength = event.body.length;
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(json.length, 0);
  return Buffer.concat([prefix, json]);
}

/** [u32 header length][header JSON][body]. */
export function encodeEventFrame(event: RelayEvent): Buffer {
  return Buffer.concat([headerBytes(event, false), event.body]);
}

/**
 * Several events in one binary message: each header carries `bodyLength`, and the next event's
 * length prefix follows its body. A busy channel sends what the listener has room for at once.
 */
export function encodeEventBatch(events: readonly RelayEvent[]): Buffer {
  if (events.length === 1) return encodeEventFrame(events[0]!);
  return Buffer.concat(events.flatMap((event) => [headerBytes(event, true), event.body]));
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Every event in a binary message: one (body to the end) or a batch (bodies sized by bodyLength). */
export function decodeEventFrames(frame: Buffer, channel: string): RelayEvent[] {
  const events: RelayEvent[] = [];
  let offset = 0;
  while (offset < frame.length) {
    const { header, bodyStart } = readHeader(frame, offset);
    const { bodyLength, type: _type, ...rest } = header;
    if (bodyLength === undefined) {
      events.push({ ...rest, channel, body: frame.subarray(bodyStart) });
      break;
    }
    if (!Number.isInteger(bodyLength) || bodyLength < 0 || bodyStart + bodyLength > frame.length) {
      throw new ProtocolError('event batch body is truncated');
    }
    events.push({ ...rest, channel, body: frame.subarray(bodyStart, bodyStart + bodyLength) });
    offset = bodyStart + bodyLength;
  }
  return events;
}

type FrameHeader = EventHeader & { type?: string; bodyLength?: number };

function readHeader(frame: Buffer, offset: number): { header: FrameHeader; bodyStart: number } {
  if (frame.length - offset < 4) throw new ProtocolError('event frame shorter than its length prefix');
  const length = frame.readUInt32BE(offset);
  const bodyStart = offset + 4 + length;
  if (bodyStart > frame.length) throw new ProtocolError('event frame header is truncated');
  let header: FrameHeader;
  try {
    header = JSON.parse(frame.subarray(offset + 4, bodyStart).toString('utf8'));
  } catch {
    throw new ProtocolError('event frame header is not JSON');
  }
  if (header?.type !== 'event' || !Number.isInteger(header.seq) || !Array.isArray(header.headers)) {
    throw new ProtocolError('event frame header is malformed');
  }
  return { header, bodyStart };
}

export function decodeEventFrame(frame: Buffer, channel: string): RelayEvent {
  const { header, bodyStart } = readHeader(frame, 0);
  const { type: _type, bodyLength: _length, ...rest } = header;
  return { ...rest, channel, body: frame.subarray(bodyStart) };
}

function checkAck(ack: unknown): void {
  const a = ack as Partial<Ack> | null;
  if (!a || typeof a !== 'object' || !Number.isInteger(a.seq)) throw new ProtocolError('ack.seq must be an integer');
  const report = a.report;
  if (!report || typeof report !== 'object' || typeof report.ok !== 'boolean') throw new ProtocolError('ack.report is missing or malformed');
  // With --respond-with handler the report becomes the ingress answer: its fields must be what they say.
  const { status, durationMs, body, headers, error, skipped } = report;
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 999)) throw new ProtocolError('ack.report.status must be an HTTP status');
  if (durationMs !== undefined && typeof durationMs !== 'number') throw new ProtocolError('ack.report.durationMs must be a number');
  if (body !== undefined && typeof body !== 'string') throw new ProtocolError('ack.report.body must be a string');
  if (headers !== undefined && (!headers || typeof headers !== 'object' || Array.isArray(headers))) throw new ProtocolError('ack.report.headers must be an object');
  if (error !== undefined && (!error || typeof error.kind !== 'string' || typeof error.message !== 'string')) throw new ProtocolError('ack.report.error must have a kind and a message');
  if (skipped !== undefined && skipped !== 'filtered' && skipped !== 'duplicate' && skipped !== 'rejected') {
    throw new ProtocolError('ack.report.skipped must be "filtered", "duplicate" or "rejected"');
  }
}

/** Parses a listener's text message; anything unexpected is a ProtocolError. */
export function parseClientMessage(text: string): ClientMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new ProtocolError('message is not JSON');
  }
  const m = message as Partial<ClientMessage> & Record<string, unknown>;
  if (m?.type === 'hello') {
    if (m.v !== PROTOCOL_VERSION) throw new ProtocolError(`unsupported protocol version ${String(m.v)}`);
    if (m.resume !== undefined && !(Number.isInteger(m.resume) && (m.resume as number) >= 0)) throw new ProtocolError('hello.resume must be a sequence number');
    if (m.window !== undefined && !(Number.isInteger(m.window) && (m.window as number) > 0)) throw new ProtocolError('hello.window must be a positive integer');
    return m as ClientMessage;
  }
  if (m?.type === 'ack') {
    checkAck(m);
    return m as ClientMessage;
  }
  if (m?.type === 'acks') {
    if (!Array.isArray(m.acks) || m.acks.length === 0 || m.acks.length > 4096) throw new ProtocolError('acks.acks must be a non-empty array of at most 4096 acks');
    for (const ack of m.acks) checkAck(ack);
    return m as ClientMessage;
  }
  // The type is the listener's text: quote only the start of it, cut between characters.
  const type = JSON.stringify(m?.type);
  throw new ProtocolError(`unknown message type ${type !== undefined && type.length > 64 ? `${[...type].slice(0, 64).join('')}…` : type}`);
}
