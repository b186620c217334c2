/**
 * Property test of relay ingress, against a real `whcli relay` process (--max-body 4kb, no rate
 * limit), over raw TCP so any bytes can be sent: arbitrary methods, request targets, header sets,
 * framings (Content-Length, chunked, both, lying) and bodies up to and past --max-body.
 *
 * Oracle, written from docs/protocol.md: a well-formed request to the channel is answered 200 when its
 * body fits and 413 when it does not; whatever is answered 200 reaches the channel's listener exactly
 * as sent (method, path suffix, query, header pairs in order, body bytes); nothing else reaches it; any
 * other answer is one of the documented refusals. After every request the relay process is alive,
 * /healthz answers 200 and a second channel still delivers a fresh event to its listener.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';
import { socketUrl } from '../helpers/relay-client.js';
import { recordFigures } from '../helpers/reliability-report.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);
const MAX_BODY = 4096;
const MARKER = 'X-Fuzz-Run';
/** Each run's number replaces this in the marker header when it is sent (shrinking replays keep theirs apart). */
const RUN = '{run}';

let relay: RelayProcess;
let a: { id: string; token: string; url: string };
let b: { id: string; token: string; url: string };
let listenerA: RawListener;
let listenerB: RawListener;

async function createChannel(): Promise<{ id: string; token: string; url: string }> {
  const response = await fetch(`${relay.url}/api/channels`, { method: 'POST' });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string; url: string };
}

beforeAll(async () => {
  relay = await startRelayProcess(await makeHome(), ['--store', 'memory', '--max-body', '4kb', '--rate-limit', '0']);
  [a, b] = [await createChannel(), await createChannel()];
  listenerA = new RawListener(socketUrl(relay.url, a.id), a.token, { autoAck: true });
  listenerB = new RawListener(socketUrl(relay.url, b.id), b.token, { autoAck: true });
  await Promise.all([listenerA.hello(), listenerB.hello()]);
}, 30_000);

afterAll(async () => {
  closeAllRawListeners();
  await stopAllProcesses();
});

/** One request as bytes on the wire, and what a correct relay must do with it. */
interface Wire {
  bytes: Buffer;
  /** Strictly well-formed and aimed at channel A: must be answered 200 (or 413 past --max-body). */
  valid: boolean;
  /** Aimed at channel A's ingress: a 200 means an event, which must be exactly `expect`. */
  toA: boolean;
  /**
   * The framing is ambiguous (no length, a lying or doubled one, framing headers among the fuzz): the
   * relay may store the request and then answer the bytes after it, parsed as a second request, with
   * 400 before its 200 is written. Stored or not, its method, target and headers are never altered.
   */
  ambiguous?: boolean;
  expect: { method: string; path: string; query: string; headers: [string, string][]; body: Buffer };
}

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const chars = (alphabet: string, min: number, max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((c) => c.join(''));
/** Methods from RFC 9110 / RFC 5789 / WebDAV that any HTTP server parses (CONNECT is a tunnel, not a request). */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH', 'PURGE'];
/** Header names that change framing or the connection: only in the fuzzy requests. */
const FRAMING = ['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect', 'te', 'trailer', 'keep-alive', 'proxy-connection'];

const PCHAR = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/";
const pctEncoded = fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0').toUpperCase()}`);
const pathPart = fc.array(fc.oneof(chars(PCHAR, 1, 6), pctEncoded), { maxLength: 6 }).map((p) => p.join(''));
/**
 * A "." or ".." segment, raw or percent-encoded, between separators a URL parser or a handler's router
 * may see ("/", "\\", %2F, %5C): the relay refuses it (it would climb out of --forward).
 */
const DOT_SEGMENT = /(^|\/|\\|%2f|%5c)(\.|%2e){1,2}(\/|\\|%2f|%5c|$)/i;
const validTarget = fc.record({ suffix: fc.option(pathPart.map((p) => `/${p}`).filter((p) => !DOT_SEGMENT.test(p)), { nil: '' }), query: fc.option(fc.array(fc.oneof(chars(`${PCHAR}?`, 1, 6), pctEncoded), { maxLength: 5 }).map((q) => q.join('')), { nil: undefined }) });
const headerValue = fc
  .array(fc.oneof(chars(TCHAR + '"(),/:;<=>?@[\\]{}', 1, 8), fc.constantFrom(' ', '\t')), { maxLength: 8 })
  .map((p) => p.join('').trim());
const validHeaders = fc.array(fc.tuple(chars(TCHAR, 1, 16).filter((n) => !FRAMING.includes(n.toLowerCase()) && n.toLowerCase() !== MARKER.toLowerCase()), headerValue), { maxLength: 12 });

/** Bodies around the limit as well as small ones; bytes from a seed so large ones are cheap to make. */
const bodyArb = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
  fc.tuple(fc.integer({ min: 0, max: 2 * MAX_BODY }), fc.integer()).map(([n, seed]) => Buffer.from(Array.from({ length: n }, (_, i) => (seed * 31 + i * 17 + (i >> 3)) & 0xff))),
  fc.constantFrom(MAX_BODY - 1, MAX_BODY, MAX_BODY + 1).map((n) => Buffer.alloc(n, 0x7b)),
);

function chunked(body: Buffer, sizes: number[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  let i = 0;
  while (offset < body.length) {
    const size = Math.max(1, Math.min(body.length - offset, sizes[i++ % Math.max(1, sizes.length)] ?? body.length));
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), body.subarray(offset, offset + size), Buffer.from('\r\n'));
    offset += size;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

function assemble(method: string, target: string, headers: [string, string][], body: Buffer, framing: 'length' | 'chunked', sizes: number[], host: string) {
  const pairs: [string, string][] = [['Host', host], [MARKER, RUN], ...headers, ['Connection', 'close']];
  pairs.push(framing === 'length' ? ['Content-Length', String(body.length)] : ['Transfer-Encoding', 'chunked']);
  const head = `${method} ${target} HTTP/1.1\r\n${pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return { pairs, bytes: Buffer.concat([Buffer.from(head, 'latin1'), framing === 'length' ? body : chunked(body, sizes)]) };
}

function splitTarget(target: string): { path: string; query: string } {
  const rest = target.slice(`/c/${a.id}`.length);
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

/** A strictly well-formed request to channel A. */
const validRequest = () =>
  fc.record({ method: fc.constantFrom(...METHODS), target: validTarget, headers: validHeaders, body: bodyArb, framing: fc.constantFrom<'length' | 'chunked'>('length', 'chunked'), sizes: fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 4 }) }).map(({ method, target, headers, body, framing, sizes }): Wire => {
    const path = `/c/${a.id}${target.suffix}${target.query === undefined ? '' : `?${target.query}`}`;
    const { pairs, bytes } = assemble(method, path, headers, body, framing, sizes, `127.0.0.1:${relay.port}`);
    return { bytes, valid: true, toA: true, expect: { method, ...splitTarget(path), headers: pairs, body } };
  });

/** Anything: random methods and targets, control bytes and obs-text in headers, lying or doubled framing. */
const fuzzyRequest = () =>
  fc
    .record({
      method: fc.oneof(fc.constantFrom(...METHODS, 'CONNECT', 'get', 'P0ST', ''), chars(TCHAR, 1, 12), fc.string({ unit: 'binary-ascii', maxLength: 8 })),
      target: fc.oneof(
        validTarget.map((t) => `/c/${a.id}${t.suffix}${t.query === undefined ? '' : `?${t.query}`}`),
        fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((junk) => `/c/${a.id}/${junk}`),
        fc.constantFrom('/healthz', '/metrics', '/api/channels', `/ws/${a.id}`, '/c/ch_unknown', '/c/', '/', '*', 'http://example.com/c/x', `/c/${a.id}x`),
        fc.string({ unit: 'binary-ascii', maxLength: 30 }),
      ),
      headers: fc.array(
        fc.oneof(
          fc.tuple(chars(TCHAR, 1, 16), headerValue),
          fc.tuple(fc.constantFrom(...FRAMING, 'Content-Length', 'Transfer-Encoding'), fc.oneof(headerValue, fc.constantFrom('chunked', 'gzip, chunked', 'identity', '0', '-1', '99999999999', '5, 5', 'close', 'Upgrade', 'websocket', '100-continue'))),
          fc.tuple(fc.string({ unit: 'binary-ascii', maxLength: 10 }), fc.string({ unit: 'binary-ascii', maxLength: 20 })),
          fc.tuple(chars(TCHAR, 1, 10), fc.uint8Array({ maxLength: 12 }).map((u) => Buffer.from(u).toString('latin1'))),
        ),
        { maxLength: 10 },
      ),
      body: bodyArb,
      framing: fc.constantFrom('length', 'chunked', 'both', 'short', 'long', 'none'),
      sizes: fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 4 }),
    })
    .map(({ method, target, headers, body, framing, sizes }): Wire => {
      const pairs: [string, string][] = [['Host', `127.0.0.1:${relay.port}`], [MARKER, RUN], ...headers, ['Connection', 'close']];
      let sent: Buffer = body;
      let payload: Buffer = body;
      if (framing === 'length' || framing === 'both' || framing === 'short' || framing === 'long') {
        const declared = framing === 'short' ? Math.floor(body.length / 2) : framing === 'long' ? body.length + 10 : body.length;
        pairs.push(['Content-Length', String(declared)]);
        if (framing === 'short') sent = body.subarray(0, declared);
      }
      if (framing === 'chunked' || framing === 'both') {
        pairs.push(['Transfer-Encoding', 'chunked']);
        payload = chunked(body, sizes);
      }
      const head = `${method} ${target} HTTP/1.1\r\n${pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
      const toA = target.startsWith(`/c/${a.id}`) && (target.length === `/c/${a.id}`.length || '/?'.includes(target[`/c/${a.id}`.length]!));
      const framingHeaders = headers.some(([k]) => /^\s*(content-length|transfer-encoding)\s*$/i.test(k));
      const ambiguous = framingHeaders || framing === 'short' || framing === 'both' || (framing === 'none' && body.length > 0);
      return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), payload]), valid: false, toA, ambiguous, expect: { method, ...(toA ? splitTarget(target) : { path: '', query: '' }), headers: pairs, body: sent } };
    });

/** The request of one run: its number in the marker header. */
function withRun(wire: Wire, id: number): Wire {
  const marker = `\r\n${MARKER}: ${RUN}\r\n`;
  const text = wire.bytes.toString('latin1');
  const at = text.indexOf(marker);
  const bytes = Buffer.concat([Buffer.from(text.slice(0, at), 'latin1'), Buffer.from(`\r\n${MARKER}: ${id}\r\n`), wire.bytes.subarray(at + marker.length)]);
  const headers = wire.expect.headers.map(([k, v]): [string, string] => (k === MARKER && v === RUN ? [k, String(id)] : [k, v]));
  return { ...wire, bytes, expect: { ...wire.expect, headers } };
}

/** Writes the bytes, half-closes, and reads until the relay closes (bounded). */
function exchange(bytes: Buffer, timeoutMs = 3_000): Promise<{ status?: number; body: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(relay.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = (timedOut: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      // An interim 100 Continue (for Expect: 100-continue) comes before the answer.
      const text = Buffer.concat(chunks).toString('latin1').replace(/^(HTTP\/1\.1 1\d\d[^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : undefined, body: text.slice(text.indexOf('\r\n\r\n') + 4), timedOut });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => finish(false));
    socket.end(bytes);
  });
}

// 417: Node answers an Expect it does not know before the relay sees the request.
const REFUSALS = new Set([400, 404, 413, 417, 431, 501, 505]);
const figures = { requests: 0, valid: 0, accepted: 0, tooLarge: 0, refused: 0, noAnswer: 0, timedOut: 0, bytes: 0 };

describe('relay ingress under arbitrary requests', () => {
  it('answers as documented, stores exactly what it accepted, and never disturbs another channel', async () => {
    const accepted = new Map<number, Wire['expect']>();
    const maybe = new Map<number, Wire['expect']>();
    /** What each run sent and got, for failure messages. */
    const sent = new Map<number, string>();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: validRequest() }, { weight: 2, arbitrary: fuzzyRequest() }),
        async (template) => {
          const id = ++run;
          const wire = withRun(template, id);
          figures.requests += 1;
          figures.bytes += wire.bytes.length;
          if (wire.valid) figures.valid += 1;
          const answer = await exchange(wire.bytes);
          sent.set(id, `${answer.status ?? 'no answer'} to ${JSON.stringify(wire.bytes.subarray(0, 400).toString('latin1'))}`);
          expect(relay.proc.alive, relay.proc.describe()).toBe(true);
          // The relay answers or closes every request it cannot take; none is left hanging.
          if (answer.timedOut) figures.timedOut += 1;
          expect(answer.timedOut, sent.get(id)).toBe(false);
          expect(answer.status, `status ${answer.status}: ${answer.body}`).not.toBe(500);

          if (wire.valid) {
            const fits = wire.expect.body.length <= MAX_BODY;
            // Past the limit with a declared length the relay answers and closes at once; the reset
            // that follows may cost us the answer, never an event.
            if (fits) expect(answer.status, answer.body).toBe(200);
            else expect([413, undefined]).toContain(answer.status);
          }
          if (answer.status === 200 && wire.toA) {
            figures.accepted += 1;
            accepted.set(id, wire.expect);
            await listenerA.waitFor(() => listenerA.events.some((e) => e.headers.some(([k, v]) => k === MARKER && v === String(id))), `the event of run ${id}`);
            const event = listenerA.events.find((e) => e.headers.some(([k, v]) => k === MARKER && v === String(id)))!;
            expect({ method: event.method, path: event.path, query: event.query, headers: event.headers }).toEqual({ method: wire.expect.method, path: wire.expect.path, query: wire.expect.query, headers: wire.expect.headers });
            expect(event.body.equals(wire.expect.body), 'body bytes').toBe(true);
          } else if (wire.ambiguous && wire.toA) {
            maybe.set(id, wire.expect);
          } else if (answer.status === undefined) {
            figures.noAnswer += 1;
          } else if (answer.status === 413) {
            figures.tooLarge += 1;
          } else if (!wire.toA && [200, 201].includes(answer.status)) {
            // /healthz, /metrics, /api/channels: not ingress.
          } else {
            figures.refused += 1;
            expect(REFUSALS, `status ${answer.status} for ${JSON.stringify(wire.bytes.subarray(0, 200).toString('latin1'))}`).toContain(answer.status);
          }

          // Another channel keeps delivering, and the relay keeps answering.
          const before = listenerB.events.length;
          const sentinel = await fetch(b.url, { method: 'POST', body: `{"after":${id}}` });
          expect(sentinel.status).toBe(200);
          await listenerB.waitForEvents(before + 1);
          expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
        },
      ),
      { numRuns: RUNS },
    );

    // A last event through A: once it is there, everything before it is too. Only what was answered
    // 200 was stored.
    const last = await fetch(a.url, { method: 'POST', headers: { [MARKER]: 'last' }, body: 'last' });
    expect(last.status).toBe(200);
    await listenerA.waitFor(() => listenerA.events.some((e) => e.headers.some(([k, v]) => k === MARKER && v === 'last')), 'the last event');
    const seen = listenerA.events.filter((e) => e.headers.some(([k, v]) => k === MARKER && v !== 'last'));
    const runsSeen = seen.map((e) => Number(e.headers.find(([k]) => k === MARKER)![1]));
    expect(new Set(runsSeen).size).toBe(runsSeen.length);
    for (const id of accepted.keys()) expect(runsSeen).toContain(id);
    for (const event of seen) {
      const id = Number(event.headers.find(([k]) => k === MARKER)![1]);
      if (accepted.has(id)) continue;
      const expected = maybe.get(id);
      expect(expected, `an event for run ${id}, which was not answered 200: ${sent.get(id)}`).toBeDefined();
      expect({ method: event.method, path: event.path, query: event.query, headers: event.headers }).toEqual({ method: expected!.method, path: expected!.path, query: expected!.query, headers: expected!.headers });
    }
    expect(relay.proc.alive).toBe(true);
    recordFigures('property', 'relay-ingress', figures);
  }, 120_000);
});
