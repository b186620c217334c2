/**
 * Property test of the listener side of the relay protocol (docs/protocol.md): arbitrary sequences of
 * listener messages — valid hellos and acks with arbitrary (out-of-order, unknown, repeated) seqs,
 * truncated JSON, wrong types, unknown types, binary frames, invalid UTF-8, oversized messages — sent
 * to a real relay over a real socket. A model written here (not src/) predicts the outcome: the first
 * bad message closes that socket, with the documented code and (for the relay's own checks) a reason
 * sent first as an error message; valid acks change the channel's acknowledged point exactly as far as
 * the events this socket holds allow. Every run, a listener on the same channel and one on another
 * channel keep receiving, /healthz stays 200, and protocol errors are counted once each.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RelayServer } from '../../src/relay/server.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';
import { recordFigures } from '../helpers/reliability-report.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SOFT_LIMIT = 256 * 1024;
const HARD_LIMIT = 1024 * 1024;

let relay: RelayServer;
let other: { id: string; token: string; url: string };
let otherListener: RawListener;

const socketUrl = (channel: string) => `${relay.url.replace(/^http/, 'ws')}/ws/${channel}`;

async function post(url: string, body: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', body });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  relay = await startRelay({ port: 0, helloTimeoutMs: 5_000 });
  other = await relay.createChannel();
  otherListener = new RawListener(socketUrl(other.id), other.token, { autoAck: true });
  await otherListener.hello();
});

afterAll(async () => {
  closeAllRawListeners();
  await relay?.close();
});

/** What the model expects a message to do. */
type Fatal = { code: number; reason: boolean };
type Message =
  | { kind: 'hello'; data: string }
  | { kind: 'ack'; data: string; seqs: number[] }
  | { kind: 'fatal'; data: string | Buffer; binary?: boolean; fatal: Fatal; label: string };

const reportArb = fc.record(
  {
    ok: fc.boolean(),
    durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    status: fc.integer({ min: 100, max: 599 }),
    body: fc.string({ maxLength: 50 }),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    error: fc.record({ kind: fc.constantFrom('refused', 'timeout', 'reset', 'dns', 'error'), message: fc.string({ maxLength: 20 }) }),
    skipped: fc.constantFrom('filtered', 'duplicate'),
  },
  { requiredKeys: ['ok'] },
);

/** Seqs near the channel's (1..3), and anything else an integer can be. */
const seqArb = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2));

const validHello = fc
  .record({ resume: fc.nat(), window: fc.integer({ min: 4, max: 5000 }), client: fc.string({ maxLength: 10 }) }, { requiredKeys: [] })
  .map((fields): Message => ({ kind: 'hello', data: JSON.stringify({ type: 'hello', v: 1, ...fields }) }));

const validAck = fc.oneof(
  fc.record({ seq: seqArb, report: reportArb }).map((ack): Message => ({ kind: 'ack', data: JSON.stringify({ type: 'ack', ...ack }), seqs: [ack.seq] })),
  fc.array(fc.record({ seq: seqArb, report: reportArb }), { minLength: 1, maxLength: 6 }).map((acks): Message => ({ kind: 'ack', data: JSON.stringify({ type: 'acks', acks }), seqs: acks.map((a) => a.seq) })),
);

const policy = (label: string, data: string): Message => ({ kind: 'fatal', data, fatal: { code: 1008, reason: true }, label });

/** Fields of the wrong type or out of range, one at a time. */
const wrongTypes = fc.oneof(
  fc.constantFrom<unknown>(0, 2, '1', null, 1.5, true).map((v) => policy('hello.v', JSON.stringify({ type: 'hello', v }))),
  fc.constantFrom<unknown>(-1, 1.5, '3', null, true, [1]).map((resume) => policy('hello.resume', JSON.stringify({ type: 'hello', v: 1, resume }))),
  fc.constantFrom<unknown>(0, -4, 2.5, '64', null).map((window) => policy('hello.window', JSON.stringify({ type: 'hello', v: 1, window }))),
  fc.constantFrom<unknown>('1', 1.5, null, true, [1], {}).map((seq) => policy('ack.seq', JSON.stringify({ type: 'ack', seq, report: { ok: true, durationMs: 1 } }))),
  fc.constantFrom<unknown>(undefined, null, 'ok', 1, [], { ok: 'true' }, { status: 200 }).map((report) => policy('ack.report', JSON.stringify({ type: 'ack', seq: 1, report }))),
  fc
    .constantFrom<Record<string, unknown>>({ status: '200' }, { status: 99 }, { status: 1000 }, { status: 200.5 }, { body: 12 }, { durationMs: '3' }, { error: 'boom' }, { error: { kind: 1 } }, { skipped: 'other' }, { headers: 'x' })
    .map((bad) => policy('ack.report field', JSON.stringify({ type: 'ack', seq: 1, report: { ok: true, durationMs: 1, ...bad } }))),
  fc.constantFrom<unknown>([], {}, 'x', null, Array.from({ length: 4097 }, (_, i) => ({ seq: i, report: { ok: true } }))).map((acks) => policy('acks.acks', JSON.stringify({ type: 'acks', acks }))),
);

const unknownTypes = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }).filter((t) => !['hello', 'ack', 'acks'].includes(t)).map((type) => policy('unknown type', JSON.stringify({ type }))),
  // Long and non-ASCII: the relay quotes the type in its close reason, which has a 123-byte limit.
  fc.string({ unit: 'binary', minLength: 40, maxLength: 300, size: 'max' }).map((type) => policy('long unknown type', JSON.stringify({ type }))),
  fc.jsonValue({ maxDepth: 2 }).filter((v) => !(v && typeof v === 'object' && !Array.isArray(v) && ['hello', 'ack', 'acks'].includes((v as { type?: unknown }).type as string))).map((v) => policy('other JSON', JSON.stringify(v))),
);

const truncated = fc
  .tuple(fc.oneof(validHello, validAck), fc.double({ min: 0, max: 0.999, noNaN: true }))
  .map(([m, cut]) => policy('truncated', (m.data as string).slice(0, Math.floor((m.data as string).length * cut))));

const notJson = fc.string({ unit: 'binary', maxLength: 60 }).filter((t) => {
  try {
    JSON.parse(t);
    return false;
  } catch {
    return true;
  }
}).map((t) => policy('not JSON', t));

const binary = fc.uint8Array({ maxLength: 300 }).map((bytes): Message => ({ kind: 'fatal', data: Buffer.from(bytes), binary: true, fatal: { code: 1003, reason: true }, label: 'binary' }));

/** A text frame whose bytes are not UTF-8: ws itself refuses it with 1007, before the relay sees it. */
const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes): Message => ({
  kind: 'fatal',
  data: Buffer.concat([Buffer.from('{"type":"ack","seq":1,"x":"'), Buffer.from(bytes), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
  fatal: { code: 1007, reason: false },
  label: 'invalid UTF-8',
}));

const oversized = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: SOFT_LIMIT + 1, max: SOFT_LIMIT + 50_000 }).map((n) => ({ n, fatal: { code: 1009, reason: true } })) },
  { weight: 1, arbitrary: fc.integer({ min: HARD_LIMIT + 1, max: HARD_LIMIT + 10_000 }).map((n) => ({ n, fatal: { code: 1009, reason: false } })) },
).map(({ n, fatal }): Message => {
  const head = '{"type":"ack","seq":1,"report":{"ok":true,"body":"';
  return { kind: 'fatal', data: `${head}${'x'.repeat(n - head.length - 3)}"}}`, fatal, label: `oversized ${n}` };
});

const anyMessage: fc.Arbitrary<Message> = fc.oneof(
  { weight: 3, arbitrary: validHello },
  { weight: 6, arbitrary: validAck },
  { weight: 2, arbitrary: wrongTypes },
  { weight: 1, arbitrary: unknownTypes },
  { weight: 1, arbitrary: truncated },
  { weight: 1, arbitrary: notJson },
  { weight: 1, arbitrary: binary },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: oversized },
);

/** Mostly a hello first, so that what follows it is explored too. */
const sequenceArb = fc.tuple(fc.oneof({ weight: 4, arbitrary: validHello }, { weight: 1, arbitrary: anyMessage }), fc.array(anyMessage, { maxLength: 6 })).map(([first, rest]) => [first, ...rest]);

/** The model: which message is the first bad one, and which seqs were acknowledged before it. */
function predict(messages: Message[], eventCount: number): { fatalAt: number | undefined; fatal?: Fatal; acked: Set<number> } {
  let hello = false;
  const acked = new Set<number>();
  for (const [i, m] of messages.entries()) {
    if (m.kind === 'fatal') return { fatalAt: i, fatal: m.fatal, acked };
    if (m.kind === 'hello') {
      if (hello) return { fatalAt: i, fatal: { code: 1008, reason: true }, acked };
      hello = true;
      continue;
    }
    if (!hello) return { fatalAt: i, fatal: { code: 1008, reason: true }, acked };
    // Only events this socket holds can be acknowledged through it; any other seq is ignored.
    for (const seq of m.seqs) if (seq >= 1 && seq <= eventCount) acked.add(seq);
  }
  return { fatalAt: undefined, acked };
}

let runs = 0;
let closedSockets = 0;
let messagesSent = 0;

describe('listener messages to the relay', () => {
  it('close only the offending socket, with the documented code and reason; valid acks move the channel exactly as modelled', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArb, fc.integer({ min: 0, max: 3 }), async (messages, eventCount) => {
        runs += 1;
        const channel = await relay.createChannel();
        // Another listener on the same channel: it must keep receiving whatever the fuzzed socket does.
        const neighbour = new RawListener(socketUrl(channel.id), channel.token);
        await neighbour.hello();
        for (let n = 1; n <= eventCount; n++) expect(await post(channel.url, `{"n":${n}}`)).toBe(200);
        await neighbour.waitForEvents(eventCount);

        const errorsBefore = relay.metrics.protocolErrors;
        const expected = predict(messages, eventCount);
        const fuzz = new RawListener(socketUrl(channel.id), channel.token);
        await fuzz.opened;
        for (const [i, m] of messages.entries()) {
          messagesSent += 1;
          fuzz.send(m.data, { binary: m.kind === 'fatal' && m.binary === true });
          if (i === expected.fatalAt) break;
          // After a hello, wait until the relay is ready and has sent what the channel holds, so acks
          // that follow find the events in flight (the model assumes so).
          if (m.kind === 'hello' && !messages.slice(0, i).some((p) => p.kind === 'hello')) {
            await fuzz.waitFor(() => fuzz.texts.some((t) => t.type === 'ready'), 'ready');
            await fuzz.waitForEvents(eventCount);
          }
        }

        if (expected.fatal) {
          const closed = await Promise.race([fuzz.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000))]);
          expect(closed, `socket still open after ${JSON.stringify(messages.map((m) => (m.kind === 'fatal' ? m.label : m.kind)))}`).toBeDefined();
          expect(closed!.code).toBe(expected.fatal.code);
          if (expected.fatal.reason) {
            expect(closed!.reason).not.toBe('');
            expect(fuzz.texts.at(-1)).toEqual({ type: 'error', code: 'WHCLI_ERR_PROTOCOL', message: expect.any(String) });
            // The close reason is the error message, cut to the WebSocket limit of 123 bytes.
            const message = fuzz.texts.at(-1)!.message as string;
            expect(Buffer.byteLength(closed!.reason)).toBeLessThanOrEqual(123);
            if (closed!.reason !== message) expect(closed!.reason.endsWith('…') && message.startsWith(closed!.reason.slice(0, -1))).toBe(true);
          }
          expect(relay.metrics.protocolErrors - errorsBefore).toBe(1);
          closedSockets += 1;
        } else {
          await fuzz.sync();
          expect(fuzz.closeInfo).toBeUndefined();
          expect(relay.metrics.protocolErrors).toBe(errorsBefore);
        }

        let through = 0;
        while (expected.acked.has(through + 1)) through += 1;
        expect(await relay.store.ackedThrough(channel.id)).toBe(through);

        fuzz.terminate();
        await fuzz.closed;
        // Both bystanders still receive, and the relay still answers.
        expect(await post(channel.url, '{"after":true}')).toBe(200);
        await neighbour.waitForEvents(eventCount + 1);
        const sentinel = otherListener.events.length;
        expect(await post(other.url, `{"sentinel":${runs}}`)).toBe(200);
        await otherListener.waitForEvents(sentinel + 1);
        expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
        neighbour.terminate();
        await neighbour.closed;
      }),
      { numRuns: RUNS },
    );
    expect(otherListener.closeInfo).toBeUndefined();
    recordFigures('property', 'listener-protocol', { runs, messages: messagesSent, socketsClosed: closedSockets });
  }, 60_000);
});
