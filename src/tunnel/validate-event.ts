/**
 * The listener's reading of a relay's binary message (docs/protocol.md): splits it into events and
 * checks every field of each, so nothing a relay sends can throw further in. A hand-written guard,
 * not a zod schema: it runs once per event on the hot path (bench/event-validation.mjs).
 */
import type { RelayEvent } from '../relay/protocol.js';

/** An event whose header was read but whose fields are not what the protocol says. */
export interface RefusedEvent {
  /** Known when the header carried a valid seq: the listener acknowledges it as refused. */
  seq?: number;
  id?: string;
  reason: string;
}

/** One event of a message, in the order the relay sent it: valid, or refused with the reason. */
export type DecodedEntry = { ok: true; event: RelayEvent } | { ok: false; refused: RefusedEvent };

export interface DecodedMessage {
  entries: DecodedEntry[];
  /** The framing itself is broken: what follows this point cannot be found, so it was not read. */
  broken?: string;
}

// What undici sends without throwing (its own checks), so a refused event never reaches it.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const PATH = /^(\/[\x21-\x22\x24-\x3e\x40-\xff]*)?$/; // no space, controls, "?" or "#"
const QUERY = /^[\x21-\x22\x24-\xff]*$/; // no space, controls or "#"
const MAX_ID = 256;
const MAX_METHOD = 32;

/** "missing", "null", "an array", "an object", "a number"...: what a field was instead. */
const kind = (value: unknown): string =>
  value === undefined ? 'missing' : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;

/** Why this header's fields are not an event's, or undefined when every one is right. */
function fieldProblem(h: Record<string, unknown>): string | undefined {
  if (typeof h.id !== 'string' || h.id.length === 0 || h.id.length > MAX_ID) return `id is ${kind(h.id)}, not a string of 1 to ${MAX_ID} characters`;
  if (typeof h.receivedAt !== 'number' || !Number.isFinite(h.receivedAt)) return `receivedAt is ${kind(h.receivedAt)}, not a number`;
  if (typeof h.method !== 'string' || h.method.length > MAX_METHOD || !TOKEN.test(h.method)) return 'method is not an HTTP method';
  if (typeof h.path !== 'string') return `path is ${kind(h.path)}, not a string`;
  if (!PATH.test(h.path)) return 'path is not empty or a "/" path of visible characters';
  if (typeof h.query !== 'string') return `query is ${kind(h.query)}, not a string`;
  if (!QUERY.test(h.query)) return 'query holds spaces, control characters or "#"';
  if (!Array.isArray(h.headers)) return `headers is ${kind(h.headers)}, not a list of pairs`;
  for (let i = 0; i < h.headers.length; i++) {
    const pair: unknown = h.headers[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      return `headers[${i}] is not a pair of strings`;
    }
    if (!TOKEN.test(pair[0])) return `headers[${i}] has an invalid name`;
    if (!HEADER_VALUE.test(pair[1])) return `headers[${i}] has control characters in its value`;
  }
  return undefined;
}

const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Every event in a binary message: one (body to the end) or a batch (bodies sized by bodyLength).
 * Never throws: a bad event is refused, and broken framing ends the reading.
 */
export function decodeEventMessage(frame: Buffer, channel: string): DecodedMessage {
  const out: DecodedMessage = { entries: [] };
  const refuse = (refused: RefusedEvent) => out.entries.push({ ok: false, refused });
  let offset = 0;
  while (offset < frame.length) {
    if (frame.length - offset < 4) return { ...out, broken: 'an event frame is shorter than its length prefix' };
    const bodyStart = offset + 4 + frame.readUInt32BE(offset);
    if (bodyStart > frame.length) return { ...out, broken: 'an event header runs past the end of the message' };
    let header: unknown;
    try {
      header = JSON.parse(frame.toString('utf8', offset + 4, bodyStart));
    } catch {
      return { ...out, broken: 'an event header is not JSON' };
    }
    if (!header || typeof header !== 'object' || Array.isArray(header)) return { ...out, broken: 'an event header is not a JSON object' };
    const h = header as Record<string, unknown>;
    const seq = isSeq(h.seq) ? h.seq : undefined;
    const id = typeof h.id === 'string' ? h.id.slice(0, MAX_ID) : undefined;
    let bodyEnd = frame.length;
    if (h.bodyLength !== undefined) {
      if (!isSeq(h.bodyLength)) {
        // Where the next event starts is unknown: this one is refused, the rest cannot be read.
        refuse({ seq, id, reason: `bodyLength is ${kind(h.bodyLength)}, not a byte count` });
        return { ...out, broken: 'an event in a batch has no valid bodyLength' };
      }
      if (bodyStart + h.bodyLength > frame.length) {
        refuse({ seq, id, reason: `its body is ${frame.length - bodyStart} bytes, not the ${h.bodyLength} its bodyLength says` });
        return out;
      }
      bodyEnd = bodyStart + h.bodyLength;
    }
    const problem = h.type !== 'event' ? 'its type is not "event"' : seq === undefined ? `seq is ${kind(h.seq)}, not a sequence number` : fieldProblem(h);
    if (problem) refuse({ seq, id, reason: problem });
    else {
      const event: RelayEvent = {
        seq: seq!,
        id: h.id as string,
        channel,
        receivedAt: h.receivedAt as number,
        method: h.method as string,
        path: h.path as string,
        query: h.query as string,
        headers: h.headers as [string, string][],
        body: frame.subarray(bodyStart, bodyEnd),
      };
      out.entries.push({ ok: true, event });
    }
    offset = bodyEnd;
  }
  return out;
}

/** A `ready` message's fields, checked; undefined when it is not a valid one. */
export function readyMessage(message: Record<string, unknown>): { url: string; resumeFrom: number } | undefined {
  if (typeof message.url !== 'string' || message.url.length > 2048 || !isSeq(message.resumeFrom)) return undefined;
  return { url: message.url, resumeFrom: message.resumeFrom };
}
