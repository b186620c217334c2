// The cost of checking every field of a relay's event on the listener's hot path: the hand-written
// guard in src/tunnel/validate-event.ts against a zod schema of the same rules, per event, on one
// message of 64 typical events (12 headers, 1 KiB body). Run: npm run build && node bench/event-validation.mjs
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { decodeEventMessage } from '../dist/tunnel/validate-event.js';

const headers = [['Content-Type', 'application/json'], ['User-Agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'], ['Stripe-Signature', `t=1700000000,v1=${'a'.repeat(64)}`]];
for (let i = 0; i < 9; i++) headers.push([`X-Extra-${i}`, `value-${i}-${'x'.repeat(20)}`]);
const body = Buffer.alloc(1024, 'b');
function frame(seq) {
  const json = Buffer.from(JSON.stringify({ type: 'event', seq, id: `rev_${'A'.repeat(16)}`, receivedAt: Date.now(), method: 'POST', path: '/stripe', query: 'mode=test', headers, bodyLength: body.length }));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, body]);
}
const message = Buffer.concat(Array.from({ length: 64 }, (_, i) => frame(i + 1)));

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const header = z.object({
  type: z.literal('event'),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  id: z.string().min(1).max(256),
  receivedAt: z.number().finite(),
  method: z.string().max(32).regex(token),
  path: z.string().regex(/^(\/[\x21-\x22\x24-\x3e\x40-\xff]*)?$/),
  query: z.string().regex(/^[\x21-\x22\x24-\xff]*$/),
  headers: z.array(z.tuple([z.string().regex(token), z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/)])),
  bodyLength: z.number().int().nonnegative().optional(),
});
/** The same framing walk, with zod checking each header. */
function decodeWithZod(frameBytes) {
  const events = [];
  let offset = 0;
  while (offset < frameBytes.length) {
    const start = offset + 4 + frameBytes.readUInt32BE(offset);
    const parsed = header.safeParse(JSON.parse(frameBytes.toString('utf8', offset + 4, start)));
    const end = parsed.success && parsed.data.bodyLength !== undefined ? start + parsed.data.bodyLength : frameBytes.length;
    events.push(parsed.success ? { ...parsed.data, body: frameBytes.subarray(start, end) } : parsed.error);
    offset = end;
  }
  return events;
}
/** Framing and JSON.parse only: the floor both pay. */
function decodeUnchecked(frameBytes) {
  const events = [];
  let offset = 0;
  while (offset < frameBytes.length) {
    const start = offset + 4 + frameBytes.readUInt32BE(offset);
    const h = JSON.parse(frameBytes.toString('utf8', offset + 4, start));
    const end = start + h.bodyLength;
    events.push({ ...h, body: frameBytes.subarray(start, end) });
    offset = end;
  }
  return events;
}

function measure(name, fn) {
  for (let i = 0; i < 500; i++) fn(message);
  const rounds = 3_000;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) fn(message);
  const perEventUs = ((performance.now() - started) * 1000) / (rounds * 64);
  console.log(`${name.padEnd(34)} ${perEventUs.toFixed(2)} µs per event`);
  return perEventUs;
}
const floor = measure('framing + JSON.parse, unchecked', decodeUnchecked);
const hand = measure('hand-written guard (whcli)', (m) => decodeEventMessage(m, 'ch_x'));
const zod = measure('zod schema', decodeWithZod);
console.log(`checking costs ${(hand - floor).toFixed(2)} µs per event by hand, ${(zod - floor).toFixed(2)} µs with zod`);
