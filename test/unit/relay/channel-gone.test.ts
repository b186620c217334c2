/**
 * A Redis that restarts empty forgets every channel while listeners stay attached: the relay notices
 * within its check interval and closes those listeners with 4404, so they reconnect, get 404, and
 * `whcli listen` makes a new channel instead of staying "ready" while senders get 404.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CLOSE_CHANNEL_DELETED, CLOSE_CHANNEL_GONE, startRelay, type RelayServer } from '../../../src/relay/server.js';
import { RedisStore } from '../../../src/relay/stores/redis-store.js';
import { closeAllRawListeners, RawListener } from '../../helpers/raw-listener.js';
import { redisAvailable, startRedis, type RedisServer } from '../../helpers/redis-server.js';
import { socketUrl } from '../../helpers/relay-client.js';

const hasRedis = redisAvailable();
let redis: RedisServer | undefined;
let relay: RelayServer | undefined;
let other: RelayServer | undefined;

beforeAll(async () => {
  if (hasRedis) redis = await startRedis();
});
afterEach(async () => {
  closeAllRawListeners();
  await relay?.close();
  await other?.close();
  other = undefined;
});
afterAll(async () => {
  await redis?.stop();
});

it.skipIf(!hasRedis)('closes the listeners of a channel the store forgot with 4404; reconnecting gets 404', async () => {
  relay = await startRelay({ port: 0, store: await RedisStore.connect(redis!.url), channelCheckMs: 100 });
  const channel = await relay.createChannel();
  const listener = new RawListener(socketUrl(relay.url, channel.id), channel.token);
  await listener.hello();

  const client = new Redis(redis!.url);
  await client.flushall();
  client.disconnect();

  expect((await listener.closed).code).toBe(CLOSE_CHANNEL_GONE);
  const again = new RawListener(socketUrl(relay.url, channel.id), channel.token);
  await again.closed;
  expect(again.refusedWith).toBe(404);
});

it.skipIf(!hasRedis)('closes with 4410 the listeners another relay of the same Redis has on a channel deleted through this one', async () => {
  const store = await RedisStore.connect(redis!.url);
  relay = await startRelay({ port: 0, store });
  other = await startRelay({ port: 0, store: await RedisStore.connect(redis!.url), channelCheckMs: 100 });
  const channel = await relay.createChannel();
  const listener = new RawListener(socketUrl(other.url, channel.id), channel.token);
  await listener.hello();

  expect(await store.deleteChannel(channel.id)).toBe(true);
  // 4410, not 4404: `whcli listen` must stop rather than make the deleted channel again.
  expect(await listener.closed).toEqual({ code: CLOSE_CHANNEL_DELETED, reason: 'channel deleted by its owner (whcli channels rm)' });
});
