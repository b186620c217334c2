/**
 * Property test of the relay's upgrade path, against real `whcli relay` processes (memory and file
 * stores), over raw TCP: WebSocket upgrade requests with any mix of valid, missing, repeated and
 * malformed upgrade headers, tokens, extension offers, hosts and targets, followed by arbitrary bytes
 * (frames, garbage), and ended every way a peer can end it (a reset at once, half a head then a reset,
 * a close, a reset after a pause, or reading the answer first).
 *
 * Oracle, from SECURITY.md ("no request crashes the relay"): after every input the relay process is
 * alive; every few runs and at the end it answers /healthz with 200 and delivers a fresh event to a
 * listener on another channel. An answer, when read, is an HTTP status line (101 or a refusal).
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';
import { socketUrl } from '../helpers/relay-client.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const CHECK_EVERY = 25;

interface Channel {
  id: string;
  token: string;
  url: string;
}

afterAll(async () => {
  closeAllRawListeners();
  await stopAllProcesses();
});

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const chars = (alphabet: string, min: number, max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((c) => c.join(''));
const binary = (max: number) => fc.string({ unit: 'binary-ascii', maxLength: max });

/** A masked client frame: any opcode, FIN or not, a payload length that may lie. */
const frame = fc.record({ fin: fc.boolean(), opcode: fc.integer({ min: 0, max: 15 }), payload: fc.uint8Array({ maxLength: 64 }), lie: fc.constantFrom(0, 1, 126, 127) }).map(({ fin, opcode, payload, lie }) => {
  const head = Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | (lie === 0 ? payload.length : lie === 1 ? Math.min(125, payload.length + 5) : lie)]);
  const extended = lie === 126 ? Buffer.from([0xff, 0xff]) : lie === 127 ? Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) : Buffer.alloc(0);
  return Buffer.concat([head, extended, Buffer.from([1, 2, 3, 4]), Buffer.from(payload)]);
});

function upgradeArb(live: Channel, host: string) {
  const header = (name: string, values: fc.Arbitrary<string>) => fc.option(values.map((v): [string, string] => [name, v]), { nil: undefined });
  return fc.record({
    method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD', 'OPTIONS', 'get'),
    target: fc.oneof(
      fc.constantFrom(`/ws/${live.id}`, `/ws/${live.id}`, '/ws/ch_unknown', '/ws/', '/ws', `/ws/${live.id}/x`, `/c/${live.id}`, '/healthz', '/', '*'),
      fc.tuple(fc.constantFrom('/ws/', '/c/', '/'), chars(`${TCHAR}/%`, 0, 40)).map(([p, r]) => p + r),
      fc.tuple(fc.constant(`/ws/${live.id}?`), binary(20)).map(([p, q]) => p + q.replace(/[\s]/g, '')),
    ),
    headers: fc.tuple(
      header('Host', fc.constantFrom(host, `localhost:${host.split(':')[1]}`, 'evil.example', '', '[::1', 'a'.repeat(300))),
      header('Upgrade', fc.constantFrom('websocket', 'WebSocket', 'websocket, h2c', 'h2c', '', 'x'.repeat(100))),
      header('Connection', fc.constantFrom('Upgrade', 'upgrade', 'keep-alive, Upgrade', 'close', 'Upgrade, close', '')),
      header('Sec-WebSocket-Key', fc.oneof(fc.constantFrom('dGhlIHNhbXBsZSBub25jZQ==', 'dGhlIHNhbXBsZSBub25jZQ', '', '====', 'a'.repeat(200)), binary(24))),
      header('Sec-WebSocket-Version', fc.constantFrom('13', '8', '13, 8', '', '99999999999999999999', 'abc')),
      header('Authorization', fc.constantFrom(`Bearer ${live.token}`, `Bearer ${live.token}`, 'Bearer wht_wrong', 'Bearer ', 'Basic Zm9vOmJhcg==', `bearer ${live.token}`, `Bearer ${'x'.repeat(5000)}`)),
      header('Sec-WebSocket-Extensions', fc.constantFrom('permessage-deflate', 'permessage-deflate; client_max_window_bits', 'permessage-deflate; server_max_window_bits=7', 'permessage-deflate; client_max_window_bits=99', 'permessage-deflate; x', 'foo, bar; baz=', ';;;')),
      header('Sec-WebSocket-Protocol', fc.constantFrom('whcli.v1', 'a, a', ',', '', 'x y')),
      header('Content-Length', fc.constantFrom('0', '5', '-1', '99999999999', 'abc')),
      header('Transfer-Encoding', fc.constantFrom('chunked', 'gzip', '')),
      fc.array(fc.tuple(chars(TCHAR, 1, 12), fc.oneof(chars(TCHAR, 0, 12), binary(12).map((v) => v.replace(/[\r\n]/g, '')))), { maxLength: 8 }),
      fc.constantFrom(0, 0, 0, 0, 999, 1_200),
    ),
    after: fc.oneof(fc.constant(Buffer.alloc(0)), fc.array(frame, { maxLength: 4 }).map((frames) => Buffer.concat(frames)), fc.uint8Array({ maxLength: 256 }).map((u) => Buffer.from(u))),
    ending: fc.constantFrom('reset', 'close', 'half-then-reset', 'pause-then-reset', 'read-answer'),
    pauseMs: fc.integer({ min: 0, max: 15 }),
  });
}

type Upgrade = ReturnType<typeof upgradeArb> extends fc.Arbitrary<infer T> ? T : never;

function assemble(input: Upgrade): Buffer {
  const [host, upgrade, connection, key, version, auth, extensions, protocol, length, encoding, extra, many] = input.headers;
  const pairs = [host, upgrade, connection, key, version, auth, extensions, protocol, length, encoding].filter((p): p is [string, string] => p !== undefined);
  pairs.push(...extra);
  for (let i = 0; i < many; i++) pairs.push([`X-M${i}`, '1']);
  const head = `${input.method} ${input.target} HTTP/1.1\r\n${pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), input.after]);
}

/** Sends one input and ends the connection as it says; resolves with the status line read, if any. */
async function send(port: number, input: Upgrade): Promise<string | undefined> {
  const bytes = assemble(input);
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect').catch(() => {});
  switch (input.ending) {
    case 'half-then-reset':
      socket.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
      socket.resetAndDestroy();
      return undefined;
    case 'reset':
      socket.write(bytes);
      socket.resetAndDestroy();
      return undefined;
    case 'close':
      socket.end(bytes);
      socket.destroy();
      return undefined;
    case 'pause-then-reset':
      socket.write(bytes);
      // Lets the relay get into the upgrade (awaiting the store, refusing) before the reset lands.
      await new Promise((resolve) => setTimeout(resolve, input.pauseMs));
      socket.resetAndDestroy();
      return undefined;
    case 'read-answer': {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n')) socket.destroy();
      });
      socket.write(bytes);
      const timer = setTimeout(() => socket.destroy(), 5_000);
      if (!socket.destroyed) await once(socket, 'close');
      clearTimeout(timer);
      return text.split('\r\n')[0];
    }
  }
}

async function createChannel(relay: RelayProcess): Promise<Channel> {
  const response = await fetch(`${relay.url}/api/channels`, { method: 'POST' });
  expect(response.status).toBe(201);
  return (await response.json()) as Channel;
}

describe.each([
  ['memory', ['--store', 'memory']],
  ['file', ['--fsync', 'never']],
])('the upgrade path, %s store', (_name, storeArgs) => {
  let relay: RelayProcess;
  let live: Channel;
  let probe: Channel;
  let listener: RawListener;
  let sent = 0;

  beforeAll(async () => {
    relay = await startRelayProcess(await makeHome(), [...storeArgs, '--rate-limit', '0', '--max-listeners', '0']);
    [live, probe] = [await createChannel(relay), await createChannel(relay)];
    listener = new RawListener(socketUrl(relay.url, probe.id), probe.token, { autoAck: true });
    await listener.hello();
  }, 30_000);

  async function stillServes(): Promise<void> {
    expect(relay.proc.alive, relay.proc.stderr).toBe(true);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    expect((await fetch(probe.url, { method: 'POST', body: `{"probe":${++sent}}` })).status).toBe(200);
    await listener.waitForEvents(sent, 15_000);
  }

  it('no upgrade request, however malformed or however ended, stops the relay', { timeout: 600_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(upgradeArb(live, `127.0.0.1:${relay.port}`), async (input) => {
        const status = await send(relay.port, input);
        if (status) expect(status).toMatch(/^HTTP\/1\.1 \d{3} /);
        expect(relay.proc.alive, `relay exited:\n${relay.proc.stderr}`).toBe(true);
        if (++run % CHECK_EVERY === 0) await stillServes();
      }),
      { numRuns: RUNS },
    );
    await stillServes();
    expect(relay.proc.stderr).toBe('');
  });
});
