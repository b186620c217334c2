/**
 * Shared material for the signing oracle tests. Nothing here computes a signature: expected
 * signatures always come from an official library or from the provider's documented code, written
 * out in the individual test files.
 */
import type { HeaderBag } from '../../../src/signing/index.js';

export interface TrickyBody {
  name: string;
  bytes: Buffer;
  /** True when the bytes are valid UTF-8 (so a string-only verifier can be given them). */
  utf8: boolean;
  /** What a careless server or proxy does to these bytes before checking the signature. */
  mangle: (bytes: Buffer) => Buffer;
}

const utf8 = (b: Buffer) => b.toString('utf8');
const reparse = (b: Buffer) => Buffer.from(JSON.stringify(JSON.parse(utf8(b))), 'utf8');
/** Python's json.dumps default (ensure_ascii): every non-ASCII character as a \\uXXXX escape. */
const asciiEscaped = (b: Buffer) =>
  Buffer.from(utf8(b).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), 'utf8');

const text = (name: string, s: string, mangle: TrickyBody['mangle']): TrickyBody => ({
  name,
  bytes: Buffer.from(s, 'utf8'),
  utf8: true,
  mangle,
});

/** Bodies whose signature breaks if anything re-serializes, re-encodes or trims them. */
export const TRICKY_BODIES: readonly TrickyBody[] = [
  text(
    'pretty-printed JSON with odd spacing',
    '{\n    "id" :   "evt_1",\t"amount": 1.50 ,\r\n  "tags" : [ 1,2 ,  3 ]\n\n}',
    reparse,
  ),
  text('non-ASCII (Zoë, Arabic)', '{"name":"Zoë","city":"Zürich","note":"مرحبا بالعالم","emoji":"🚀"}', asciiEscaped),
  text('trailing newline', '{"id":"evt_2","ok":true}\n', (b) => Buffer.from(utf8(b).trimEnd(), 'utf8')),
  text(
    'key order and escapes JSON.parse/stringify would change',
    '{"zeta":1,"alpha":2,"10":"ten","2":"two","n":1.0,"e":1e2,"u":"\\u00e9\\/","dup":1,"dup":2}',
    reparse,
  ),
  {
    name: 'raw binary bytes (invalid UTF-8)',
    bytes: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a, 0x0d, 0xe2, 0x82, 0x7b, 0x7d]),
    utf8: false,
    mangle: (b) => Buffer.from(utf8(b), 'utf8'), // lossy decode to a string and back
  },
];

export const TEXT_BODIES = TRICKY_BODIES.filter((b) => b.utf8);

/** A body the positive/negative tests share. */
export const SIMPLE_BODY = Buffer.from('{"id":"evt_simple","type":"thing.happened","data":{"n":1}}');

/**
 * The body after the mishandling it is designed to catch. The fixtures are sanity-checked to
 * really change under it, otherwise the body tests would prove nothing.
 */
export function reserialized(body: TrickyBody): Buffer {
  return body.mangle(body.bytes);
}

/** Headers as node:http hands them over: lower-case names. */
export function asReceived(headers: Record<string, string>): HeaderBag {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The same bytes with one bit of one byte flipped. */
export function flipByte(body: Uint8Array, index = Math.floor(body.length / 2)): Buffer {
  const copy = Buffer.from(body);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

/** A copy of the headers without one of them (matched case-insensitively). */
export function without(headers: HeaderBag, name: string): HeaderBag {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name.toLowerCase()));
}

export const nowSec = () => Math.floor(Date.now() / 1000);

/** Header names as a sorted list, exactly as written (headerNames promises the canonical case). */
export const nameSet = (names: Iterable<string>) => [...names].sort();

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The signature with only its last significant digit changed (before any base64 padding), so a
 * comparison that stops early or looks at a prefix lets it through. The change flips a high bit
 * of that digit, so it alters the decoded bytes too, not just non-canonical padding bits.
 */
export function tamperLastDigit(signature: string, encoding: 'hex' | 'base64'): string {
  const stripped = signature.replace(/=+$/, '');
  const padding = signature.slice(stripped.length);
  const last = stripped.at(-1) ?? '';
  const alphabet = encoding === 'hex' ? HEX : B64;
  const index = alphabet.indexOf(encoding === 'hex' ? last.toLowerCase() : last);
  if (index < 0) throw new Error(`not a ${encoding} digit: ${last}`);
  const replaced = alphabet[(index + alphabet.length / 2) % alphabet.length]!;
  return stripped.slice(0, -1) + replaced + padding;
}
