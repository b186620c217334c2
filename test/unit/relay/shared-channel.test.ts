/**
 * Several listeners on one channel: each gets every event, one leaving does not disturb the others,
 * and a relay shutting down tells every listener so (1001). In-process relay, real sockets.
 */
import { afterEach, expect, it } from 'vitest';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';
import { closeAllRawListeners, RawListener } from '../../helpers/raw-listener.js';
import { socketUrl } from '../../helpers/relay-client.js';

let relay: RelayServer | undefined;
afterEach(async () => {
  closeAllRawListeners();
  await relay?.close();
  relay = undefined;
});

async function post(channel: string, n: number): Promise<void> {
  const response = await fetch(`${relay!.url}/c/${channel}`, { method: 'POST', body: JSON.stringify({ n }) });
  expect(response.status).toBe(200);
}

it('delivers every event to each listener of a channel, and to the rest once one leaves', async () => {
  relay = await startRelay({ port: 0 });
  const channel = await relay.createChannel();
  const url = socketUrl(relay.url, channel.id);
  const [first, second, third] = [0, 1, 2].map(() => new RawListener(url, channel.token, { autoAck: true }));
  await Promise.all([first!.hello(), second!.hello(), third!.hello()]);

  await post(channel.id, 1);
  await Promise.all([first!.waitForEvents(1), second!.waitForEvents(1), third!.waitForEvents(1)]);
  second!.terminate();
  await second!.closed;
  third!.terminate();
  await third!.closed;
  await post(channel.id, 2);
  await first!.waitForEvents(2);
  expect(first!.events.map((e) => e.seq)).toEqual([1, 2]);
  expect(second!.events.map((e) => e.seq)).toEqual([1]);
});

it('closes every listener with 1001 when the relay shuts down', async () => {
  relay = await startRelay({ port: 0, shutdownGraceMs: 100 });
  const [one, two] = [await relay.createChannel(), await relay.createChannel()];
  const listeners = [one, one, two].map((c) => new RawListener(socketUrl(relay!.url, c.id), c.token));
  await Promise.all(listeners.map((l) => l.hello()));

  await relay.close();
  relay = undefined;
  for (const listener of listeners) expect(await listener.closed).toEqual({ code: 1001, reason: 'relay shutting down' });
});
