/**
 * Fault: two `whcli relay --store redis://...` behind a small TCP load balancer (first live backend
 * first); the listener's WebSocket and the sender's requests both go through it, so both land on
 * relay A. A is killed with SIGKILL in the middle of 1,000 events while the listener is connected to
 * it. The balancer sends new connections to B; the listener reconnects through it by itself and
 * resumes from what Redis saw acknowledged; the sender retries what got no 200. Real processes.
 *
 * Expected: every event reaches the handler; no relay event is delivered twice; an event can come
 * twice only when its sender had to send it twice. The failover is visible in the listener's output.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { postEvent, readMetrics, reservePort, waitForMetrics } from '../helpers/relay-client.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { closeAllBalancers, startTcpBalancer } from '../helpers/tcp-balancer.js';
import { countById, EVENTS, eventBody, idOf, listenerView, recordSenderFault, sendEvents } from './fault-kit.js';

const hasRedis = redisAvailable();
let redis: RedisServer | undefined;

beforeAll(async () => {
  if (hasRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await stopAllProcesses();
  await closeAllBalancers();
  await closeAllHandlers();
});

it.runIf(hasRedis)('one of two Redis-backed relays SIGKILLed under its listener: it fails over to the other, nothing lost', async () => {
  const home = await makeHome();
  const [portA, portB] = await Promise.all([reservePort(), reservePort()]);
  const balancer = await startTcpBalancer([portA, portB]);
  // Channel URLs name the balancer, as they would name a real load balancer's public address.
  const args = ['--store', redis!.url, '--rate-limit', '0', '--public-url', balancer.url];
  const a = await startRelayProcess(home, args, portA);
  await startRelayProcess(home, args, portB);
  // Their own addresses, for /metrics: `url` is the public one, the balancer.
  const [directA, directB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', balancer.url, '--no-history']);
  expect(listener.ready.url.startsWith(`${balancer.url}/c/`)).toBe(true);
  // The listener is on A, the relay that is about to die.
  expect((await readMetrics(directA)).whcli_relay_listeners).toBe(1);
  expect((await readMetrics(directB)).whcli_relay_listeners).toBe(0);

  let crash: Promise<void> | undefined;
  const sent = await sendEvents(() => listener.ready.url, 'failover', { from: 0, to: EVENTS }, {
    retry: true,
    retryDelayMs: 50,
    beforeEach: (n) => {
      if (n === EVENTS / 2) crash = a.proc.kill('SIGKILL');
    },
  });
  await crash;
  expect(a.proc.exitSignal).toBe('SIGKILL');
  expect(sent.accepted).toHaveLength(EVENTS);

  await waitForMetrics(directB, (m) => m.whcli_relay_events_pending === 0 && m.whcli_relay_listeners === 1, 'B to hold the listener and every event acknowledged', 180_000);
  await postEvent(listener.ready.url, eventBody('sentinel', 0));
  await listener.proc.waitForLine((l) => l.type === 'delivery' && l.eventId === 'evt_sentinel_0', 'the sentinel', 0, 180_000);

  const counts = countById(handler.requests.filter((r) => !idOf(r).startsWith('evt_sentinel')));
  const twice = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
  expect(counts.size).toBe(EVENTS);
  for (const id of twice) expect(sent.retriedIds.has(id), `${id} was sent once and delivered twice`).toBe(true);
  const view = listenerView(listener.proc);
  const relayEvents = view.deliveries.map((d) => d.id);
  expect(new Set(relayEvents).size).toBe(relayEvents.length);
  expect(view.disconnects.length).toBeGreaterThanOrEqual(1);
  expect(balancer.forwarded.get(portB)).toBeGreaterThan(0);

  recordSenderFault('one of two Redis relays SIGKILL (listener on it)', sent, counts, view.disconnects.length);
});
