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
  skipped?: 'filtered' | 'duplicate';
}

export const MAX_REPORT_BODY = 2048;

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

/** [u32 header length][header JSON][body]. */
export function encodeEventFrame(event: RelayEvent): Buffer {
  const header: EventHeader & { type: 'event' } = {
    type: 'event',
    seq: event.seq,
    id: event.id,
    receivedAt: event.receivedAt,
    method: event.method,
    path: event.path,
    query: event.query,
    headers: event.headers,
  };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(json.length, 0);
  return Buffer.concat([prefix, json, event.body]);
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export function decodeEventFrame(frame: Buffer, channel: string): RelayEvent {
  if (frame.length < 4) throw new ProtocolError('event frame shorter than its length prefix');
  const length = frame.readUInt32BE(0);
  if (4 + length > frame.length) throw new ProtocolError('event frame header is truncated');
  let header: EventHeader & { type?: string };
  try {
    header = JSON.parse(frame.subarray(4, 4 + length).toString('utf8'));
  } catch {
    throw new ProtocolError('event frame header is not JSON');
  }
  if (header.type !== 'event' || !Number.isInteger(header.seq) || !Array.isArray(header.headers)) {
    throw new ProtocolError('event frame header is malformed');
  }
  return { ...header, channel, body: frame.subarray(4 + length) };
}

function checkAck(ack: unknown): void {
  const a = ack as Partial<Ack> | null;
  if (!a || typeof a !== 'object' || !Number.isInteger(a.seq)) throw new ProtocolError('ack.seq must be an integer');
  const report = a.report;
  if (!report || typeof report !== 'object' || typeof report.ok !== 'boolean') throw new ProtocolError('ack.report is missing or malformed');
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
  throw new ProtocolError(`unknown message type ${JSON.stringify(m?.type)}`);
}
