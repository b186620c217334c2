/**
 * The relay <-> listener protocol (docs/protocol.md): the binary event frame round trip, byte for byte,
 * and the rejection of malformed frames and listener messages.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeEventFrame,
  decodeEventFrames,
  encodeEventBatch,
  encodeEventFrame,
  parseClientMessage,
  PROTOCOL_VERSION,
  ProtocolError,
  type RelayEvent,
} from '../../../src/relay/protocol.js';

function event(body: Buffer, overrides: Partial<RelayEvent> = {}): RelayEvent {
  return {
    seq: 42,
    id: 'rev_3NBBzsNFid9PMys7',
    channel: 'ch_test',
    receivedAt: 1_795_384_068_135,
    method: 'POST',
    path: '/stripe/v1',
    query: 'mode=test&x=%C3%A9',
    headers: [
      ['Content-Type', 'application/json'],
      ['X-Dup', 'a'],
      ['x-dup', 'b'],
      ['X-Name', 'Zoë'],
    ],
    body,
    ...overrides,
  };
}

/** The frame layout from docs/protocol.md, built by hand: [u32 n][n bytes header JSON][body]. */
function handFrame(header: unknown, body: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, body]);
}

describe('event frames', () => {
  const bodies: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['pretty JSON', Buffer.from('{\n  "a" :  1.50\n}\n')],
    ['non-ASCII', Buffer.from('{"name":"Zoë","ar":"مرحبا"}')],
    ['every byte value', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
    ['bytes that look like a frame', handFrame({ type: 'event', seq: 1, headers: [] }, Buffer.from('x'))],
  ];

  it.each(bodies)('round-trips a %s body and every field', (_name, body) => {
    const original = event(body);
    const decoded = decodeEventFrame(encodeEventFrame(original), 'ch_test');
    expect(decoded.body.equals(body)).toBe(true);
    const { body: _b, ...rest } = decoded;
    const { body: _o, ...expected } = original;
    expect({ ...rest, type: undefined }).toEqual({ ...expected, type: undefined });
  });

  it('lays the frame out as documented: big-endian length, header JSON, then the raw body', () => {
    const body = Buffer.from([0xff, 0x00, 0xfe]);
    const frame = encodeEventFrame(event(body));
    const length = frame.readUInt32BE(0);
    const header = JSON.parse(frame.subarray(4, 4 + length).toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({
      type: 'event',
      seq: 42,
      id: 'rev_3NBBzsNFid9PMys7',
      receivedAt: 1_795_384_068_135,
      method: 'POST',
      path: '/stripe/v1',
      query: 'mode=test&x=%C3%A9',
      headers: event(body).headers,
    });
    expect(frame.subarray(4 + length).equals(body)).toBe(true);
  });

  it('takes the channel from the socket, not from the frame', () => {
    const decoded = decodeEventFrame(handFrame({ type: 'event', seq: 1, channel: 'ch_other', headers: [] }), 'ch_mine');
    expect(decoded.channel).toBe('ch_mine');
  });

  const malformed: [string, Buffer, RegExp][] = [
    ['shorter than the length prefix', Buffer.from([0, 0, 1]), /shorter than its length prefix/],
    ['a length past the end', Buffer.concat([Buffer.from([0, 0, 0, 200]), Buffer.from('{"type":"event"}')]), /truncated/],
    ['a header that is not JSON', handFrame('{not json'), /not JSON/],
    ['a header of another type', handFrame({ type: 'ready', seq: 1, headers: [] }), /malformed/],
    ['a seq that is not an integer', handFrame({ type: 'event', seq: '1', headers: [] }), /malformed/],
    ['headers that are not a list', handFrame({ type: 'event', seq: 1, headers: { a: 'b' } }), /malformed/],
  ];

  it.each(malformed)('rejects a frame with %s', (_name, frame, message) => {
    expect(() => decodeEventFrame(frame, 'ch_test')).toThrow(ProtocolError);
    expect(() => decodeEventFrame(frame, 'ch_test')).toThrow(message);
  });
});

describe('listener messages', () => {
  it('accepts hello with and without resume and window', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }))).toEqual({ type: 'hello', v: 1 });
    expect(parseClientMessage('{"type":"hello","v":1,"resume":0,"window":64,"client":"whcli"}')).toEqual({ type: 'hello', v: 1, resume: 0, window: 64, client: 'whcli' });
    expect(parseClientMessage('{"type":"hello","v":1,"resume":41}')).toMatchObject({ resume: 41 });
  });

  it('accepts an ack carrying a delivery report', () => {
    const ack = { type: 'ack', seq: 42, report: { ok: false, durationMs: 3.1, error: { kind: 'refused', message: 'connection refused' } } };
    expect(parseClientMessage(JSON.stringify(ack))).toEqual(ack);
    expect(parseClientMessage('{"type":"ack","seq":1,"report":{"ok":true,"durationMs":0,"skipped":"duplicate"}}')).toMatchObject({ seq: 1 });
  });

  it('accepts several acks in one frame', () => {
    const acks = { type: 'acks', acks: [{ seq: 1, report: { ok: true, durationMs: 1 } }, { seq: 2, report: { ok: false, durationMs: 2, status: 500 } }] };
    expect(parseClientMessage(JSON.stringify(acks))).toEqual(acks);
  });

  const rejected: [string, string, RegExp][] = [
    ['an empty acks list', '{"type":"acks","acks":[]}', /non-empty array/],
    ['acks that are not a list', '{"type":"acks","acks":{"seq":1}}', /non-empty array/],
    ['acks with one malformed ack', '{"type":"acks","acks":[{"seq":1,"report":{"ok":true,"durationMs":1}},{"seq":"2","report":{"ok":true}}]}', /ack.seq must be an integer/],
    ['not JSON', 'hello', /not JSON/],
    ['JSON null', 'null', /unknown message type/],
    ['a JSON array', '[]', /unknown message type/],
    ['no type', '{"v":1}', /unknown message type undefined/],
    ['an unknown type', '{"type":"subscribe"}', /unknown message type "subscribe"/],
    ['hello without a version', '{"type":"hello"}', /unsupported protocol version undefined/],
    ['hello of another version', '{"type":"hello","v":2}', /unsupported protocol version 2/],
    ['hello with a version as text', '{"type":"hello","v":"1"}', /unsupported protocol version 1/],
    ['a negative resume', '{"type":"hello","v":1,"resume":-1}', /resume must be a sequence number/],
    ['a fractional resume', '{"type":"hello","v":1,"resume":1.5}', /resume must be a sequence number/],
    ['a zero window', '{"type":"hello","v":1,"window":0}', /window must be a positive integer/],
    ['an ack without seq', '{"type":"ack","report":{"ok":true,"durationMs":1}}', /ack.seq must be an integer/],
    ['an ack with a text seq', '{"type":"ack","seq":"1","report":{"ok":true,"durationMs":1}}', /ack.seq must be an integer/],
    ['an ack without report', '{"type":"ack","seq":1}', /ack.report is missing or malformed/],
    ['an ack whose report has no ok', '{"type":"ack","seq":1,"report":{"status":200}}', /ack.report is missing or malformed/],
    // With --respond-with handler a report becomes the ingress answer, so its fields are checked too.
    ['a report status as text', '{"type":"ack","seq":1,"report":{"ok":true,"status":"200"}}', /status must be an HTTP status/],
    ['a report status out of range', '{"type":"ack","seq":1,"report":{"ok":true,"status":1000}}', /status must be an HTTP status/],
    ['a report body that is not text', '{"type":"ack","seq":1,"report":{"ok":true,"body":{"a":1}}}', /body must be a string/],
    ['a report duration as text', '{"type":"ack","seq":1,"report":{"ok":true,"durationMs":"3"}}', /durationMs must be a number/],
    ['a report error without a kind', '{"type":"ack","seq":1,"report":{"ok":false,"error":{"message":"x"}}}', /error must have a kind and a message/],
    ['an unknown skipped reason', '{"type":"ack","seq":1,"report":{"ok":true,"skipped":"bored"}}', /skipped must be "filtered", "duplicate" or "rejected"/],
    ['report headers as a list', '{"type":"ack","seq":1,"report":{"ok":true,"headers":[]}}', /headers must be an object/],
    ['a long unknown type, quoted only in part', `{"type":"${'é'.repeat(200)}"}`, /^unknown message type "é{63}…$/],
  ];

  it.each(rejected)('rejects %s', (_name, text, message) => {
    expect(() => parseClientMessage(text)).toThrow(ProtocolError);
    expect(() => parseClientMessage(text)).toThrow(message);
  });
});

describe('event batches', () => {
  const make = (seq: number, body: Buffer): RelayEvent => ({
    seq,
    id: `rev_${seq}`,
    channel: 'ch_test',
    receivedAt: 1_700_000_000_000 + seq,
    method: 'POST',
    path: '/p',
    query: '',
    headers: [['X-Seq', String(seq)]],
    body,
  });

  it('carries several events, bodies byte for byte, in order', () => {
    const events = [make(1, Buffer.from('{"a":1}')), make(2, Buffer.alloc(0)), make(3, Buffer.from([0, 1, 255, 0x7b]))];
    const decoded = decodeEventFrames(encodeEventBatch(events), 'ch_test');
    expect(decoded).toEqual(events);
  });

  it('is a plain event frame when there is one event', () => {
    const event = make(7, Buffer.from('x'));
    expect(encodeEventBatch([event]).equals(encodeEventFrame(event))).toBe(true);
    expect(decodeEventFrames(encodeEventFrame(event), 'ch_test')).toEqual([event]);
  });

  it('rejects a batch whose last body is cut short', () => {
    const frame = encodeEventBatch([make(1, Buffer.from('abc')), make(2, Buffer.from('defgh'))]);
    expect(() => decodeEventFrames(frame.subarray(0, frame.length - 2), 'ch_test')).toThrow(/truncated/);
  });
});
