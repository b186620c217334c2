/**
 * The listener's reading of a relay's binary message: valid events come out as sent; any field that
 * is not what docs/protocol.md says refuses that event (with its seq when it has one), and nothing a
 * relay sends makes it throw. Frames are built here from the documented layout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEventMessage } from '../../../src/tunnel/validate-event.js';

function frame(header: unknown, body = '', sized = false): Buffer {
  const bytes = Buffer.from(body);
  const json = Buffer.from(JSON.stringify(sized ? { ...(header as object), bodyLength: bytes.length } : header));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, bytes]);
}

const header = (seq: number, fields: Record<string, unknown> = {}) => ({
  type: 'event', seq, id: `rev_${seq}`, receivedAt: 1, method: 'POST', path: '/hooks', query: 'a=1', headers: [['Content-Type', 'application/json']], ...fields,
});

describe('decodeEventMessage', () => {
  it('reads a single event and a batch exactly as sent', () => {
    const single = decodeEventMessage(frame(header(1), '{"a":1}'), 'ch_x');
    const { type: _type, ...fields } = header(1);
    expect(single).toEqual({ entries: [{ ok: true, event: { ...fields, channel: 'ch_x', body: Buffer.from('{"a":1}') } }] });
    const batch = decodeEventMessage(Buffer.concat([frame(header(2), 'x', true), frame(header(3), '', true), frame(header(4), 'yz', true)]), 'ch_x');
    expect(batch.entries.map((e) => (e.ok ? [e.event.seq, e.event.body.toString()] : e))).toEqual([[2, 'x'], [3, ''], [4, 'yz']]);
    expect(batch.broken).toBeUndefined();
  });

  it.each([
    ['headers not pairs', { headers: [['a', 'b', 'c']] }, /headers\[0\] is not a pair of strings/],
    ['a header value with CR LF', { headers: [['X', 'a\r\nb: c']] }, /control characters/],
    ['a header name with a space', { headers: [['X Y', 'a']] }, /invalid name/],
    ['path a number', { path: 1 }, /path is a number/],
    ['path without a leading slash', { path: 'admin' }, /path is not/],
    ['path with a space', { path: '/a b' }, /path is not/],
    ['query an array', { query: [] }, /query is an array/],
    ['query with "#"', { query: 'a#b' }, /query holds/],
    ['method with a space', { method: 'GET /x' }, /method/],
    ['id missing', { id: undefined }, /id is missing/],
    ['receivedAt a string', { receivedAt: 'now' }, /receivedAt is a string/],
    ['type not "event"', { type: 'ready' }, /type is not "event"/],
  ])('refuses %s, naming the seq', (_, fields, reason) => {
    const { entries } = decodeEventMessage(frame(header(7, fields)), 'ch_x');
    expect(entries).toEqual([{ ok: false, refused: expect.objectContaining({ seq: 7, reason: expect.stringMatching(reason) }) }]);
  });

  it('refuses an event without a valid seq, with no seq to acknowledge', () => {
    for (const seq of ['1', -1, 1.5, null, 2 ** 60]) {
      const { entries } = decodeEventMessage(frame(header(1, { seq })), 'ch_x');
      expect(entries).toEqual([{ ok: false, refused: { seq: undefined, id: 'rev_1', reason: expect.stringMatching(/^seq is /) } }]);
    }
  });

  it('refuses a body shorter than its bodyLength, and stops at framing it cannot follow', () => {
    const short = decodeEventMessage(frame({ ...header(1), bodyLength: 50 }, 'abc'), 'ch_x');
    expect(short).toEqual({ entries: [{ ok: false, refused: { seq: 1, id: 'rev_1', reason: 'its body is 3 bytes, not the 50 its bodyLength says' } }] });
    const badLength = decodeEventMessage(Buffer.concat([frame({ ...header(1), bodyLength: 'x' }, 'abc'), frame(header(2), 'd', true)]), 'ch_x');
    expect(badLength.entries).toHaveLength(1);
    expect(badLength.broken).toMatch(/bodyLength/);
    const good = frame(header(1), 'a', true);
    expect(decodeEventMessage(Buffer.concat([good, Buffer.from([0, 0])]), 'ch_x')).toMatchObject({ entries: [{ ok: true }], broken: expect.stringMatching(/shorter than its length prefix/) });
    expect(decodeEventMessage(Buffer.concat([good, Buffer.from([0, 0, 0, 3]), Buffer.from('{x}')]), 'ch_x')).toMatchObject({ entries: [{ ok: true }], broken: 'an event header is not JSON' });
    expect(decodeEventMessage(Buffer.concat([good, frame([1, 2])]), 'ch_x').broken).toBe('an event header is not a JSON object');
  });

  it('never throws, whatever the bytes or header', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.jsonValue().map((h) => frame(h, 'body'))), (bytes) => {
        const out = decodeEventMessage(bytes, 'ch_x');
        for (const entry of out.entries) if (entry.ok) expect(typeof entry.event.path).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
