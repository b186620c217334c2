/**
 * The relay finds silent listeners (a laptop asleep, a NAT that dropped the connection) by pings: a
 * listener that answers stays, one that has not answered for a whole interval is cut off.
 */
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';
import { socketUrl } from '../../helpers/relay-client.js';

let relay: RelayServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await relay?.close();
});

async function attach(url: string, token: string, autoPong: boolean): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, autoPong });
  sockets.push(ws);
  await once(ws, 'open');
  ws.send(JSON.stringify({ type: 'hello', v: 1 }));
  await once(ws, 'message');
  return ws;
}

it('cuts off a listener that stops answering pings, and keeps one that answers', async () => {
  // A second between pings: ample time for a pong from a busy test process.
  relay = await startRelay({ port: 0, pingIntervalMs: 1000 });
  const channel = await relay.createChannel();
  const url = socketUrl(relay.url, channel.id);
  const answering = await attach(url, channel.token, true);
  const silent = await attach(url, channel.token, false);
  let pings = 0;
  answering.on('ping', () => (pings += 1));

  await once(silent, 'close');
  // The silent one went after missing a ping; by then the answering one had been pinged too, and stays.
  await new Promise((resolve) => answering.once('ping', resolve));
  expect(pings).toBeGreaterThanOrEqual(2);
  expect(answering.readyState).toBe(WebSocket.OPEN);
});
