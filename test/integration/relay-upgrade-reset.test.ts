/**
 * One packet must not end the relay: a WebSocket upgrade followed by a TCP reset (or a plain close)
 * at every moment of the upgrade path (refused for an unknown channel, a missing or wrong token, a
 * bad path, or accepted), many times, on a real `whcli relay` process with each store. The relay
 * stays up, answers /healthz and still delivers an event to a real listener afterwards.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeHome, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { socketUrl } from '../helpers/relay-client.js';

const ATTEMPTS = 150;
const hasRedis = redisAvailable();
let redis: RedisServer | undefined;

afterEach(async () => {
  closeAllRawListeners();
  await stopAllProcesses();
});
afterAll(async () => {
  await redis?.stop();
});

function upgradeRequest(path: string, host: string, token?: string): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...(token ? [`Authorization: Bearer ${token}`] : []),
    '',
    '',
  ].join('\r\n');
}

/** Sends the upgrade, then ends the connection the way `how` says, without waiting for an answer. */
async function sendAndVanish(port: number, request: string, how: 'reset' | 'close' | 'half'): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  if (how === 'half') {
    // Half the head, then gone: the parser never completes the request.
    socket.write(request.slice(0, Math.floor(request.length / 2)));
    socket.resetAndDestroy();
    return;
  }
  socket.write(request);
  if (how === 'reset') socket.resetAndDestroy();
  else socket.destroy();
}

const stores: [string, () => Promise<string[]>, boolean][] = [
  ['memory', async () => ['--store', 'memory'], true],
  ['file', async () => [], true],
  [
    'redis',
    async () => {
      redis ??= await startRedis();
      return ['--store', redis.url];
    },
    hasRedis,
  ],
];

describe.each(stores)('an upgrade then a reset, %s store', (_name, storeArgs, enabled) => {
  it.skipIf(!enabled)('never ends the relay', async () => {
    const relay: RelayProcess = await startRelayProcess(await makeHome(), [...(await storeArgs()), '--rate-limit', '0']);
    const channel = (await (await fetch(`${relay.url}/api/channels`, { method: 'POST' })).json()) as { id: string; token: string; url: string };
    const host = new URL(relay.url).host;
    const requests = [
      upgradeRequest(`/ws/${channel.id}`, host), // 401: no token
      upgradeRequest(`/ws/${channel.id}`, host, 'wht_wrong'), // 401: wrong token
      upgradeRequest('/ws/ch_unknown', host, channel.token), // 404 after asking the store
      upgradeRequest('/nowhere', host), // 404 at once
      upgradeRequest(`/ws/${channel.id}`, host, channel.token), // accepted
    ];
    const ways = ['reset', 'close', 'half'] as const;
    for (let i = 0; i < ATTEMPTS; i++) {
      await sendAndVanish(relay.port, requests[i % requests.length]!, ways[i % ways.length]!);
      expect(relay.proc.alive, `relay exited after attempt ${i}:\n${relay.proc.stderr}`).toBe(true);
    }
    // Resets in flight have landed once a fresh request is answered on a new connection.
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    const listener = new RawListener(socketUrl(relay.url, channel.id), channel.token, { autoAck: true });
    await listener.hello();
    expect((await fetch(channel.url, { method: 'POST', body: '{"after":"resets"}' })).status).toBe(200);
    await listener.waitForEvents(1, 15_000);
    expect(relay.proc.alive).toBe(true);
    expect(relay.proc.stderr).not.toMatch(/ECONNRESET|uncaught|Error:/i);
  });
});
