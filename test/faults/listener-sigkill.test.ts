/**
 * Fault: the listener is killed with SIGKILL in the middle of a stream of 1,000 events, then started
 * again with the same WHCLI_HOME. Real `whcli relay` and `whcli listen` processes on loopback.
 *
 * Expected: every event the relay accepted reaches the handler; an event reaches it twice only if the
 * relay had not seen it acknowledged when the listener died (at-least-once); nothing acknowledged
 * comes again.
 */
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { postEvent, readMetrics, waitForMetrics } from '../helpers/relay-client.js';
import { recordFigures } from '../helpers/reliability-report.js';
import { countById, EVENTS, eventBody, idOf, listenerView, sendEvents } from './fault-kit.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

it('a listener SIGKILLed mid-stream and restarted: nothing lost, nothing acknowledged delivered twice', async () => {
  const home = await makeHome();
  const relay = await startRelayProcess(home, ['--store', 'memory', '--rate-limit', '0']);
  const handler = await startHandler();
  // Ordered: the acknowledged events are then a prefix of the stream, which the checks below rely on.
  const args = ['--forward', `${handler.url}/hooks`, '--relay', relay.url, '--no-history', '--ordered'];
  const first = await startListenerProcess(home, args);

  // Kill it while it is busy: the handler past event 300, more events still arriving.
  const kill = handler.waitForRequests(300, 30_000).then(() => first.proc.kill('SIGKILL'));
  const sent = await sendEvents(() => first.ready.url, 'kill', { from: 0, to: EVENTS });
  await kill;
  expect(first.proc.exitSignal).toBe('SIGKILL');
  expect(sent.accepted).toHaveLength(EVENTS);

  // Once the relay has seen the socket go, its acknowledged count is final: those events are done.
  const atKill = await waitForMetrics(relay.url, (m) => m.whcli_relay_listeners === 0, 'the relay to see the listener gone');
  const acknowledged = atKill.whcli_relay_events_delivered_total!;
  expect(atKill.whcli_relay_events_pending).toBe(EVENTS - acknowledged);
  const seqOf = new Map(sent.accepted.map((a) => [a.id, a.seq]));

  const second = await startListenerProcess(home, args);
  expect(second.ready.url).toBe(first.ready.url);
  await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'every event to be acknowledged', 30_000);
  // One more event, after anything the relay could still resend: when it arrives, the count is final.
  await postEvent(second.ready.url, eventBody('sentinel', 0));
  await second.proc.waitForLine((l) => l.type === 'delivery' && l.eventId === 'evt_sentinel_0', 'the sentinel');

  const counts = countById(handler.requests.filter((r) => !idOf(r).startsWith('evt_sentinel')));
  const duplicated = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
  const lost = sent.accepted.filter((a) => !counts.has(a.id));
  expect(lost).toEqual([]);
  expect(counts.size).toBe(EVENTS);
  // The listener delivers and acknowledges in order, so the acknowledged events are seqs 1..n.
  for (const id of duplicated) expect(seqOf.get(id), `${id} was acknowledged, yet delivered twice`).toBeGreaterThan(acknowledged);
  expect([...counts.values()].every((c) => c <= 2)).toBe(true);
  // What the second listener delivered is exactly what was not acknowledged, in order.
  const redelivered = listenerView(second.proc).deliveries.map((d) => d.eventId).filter((id) => id !== 'evt_sentinel_0');
  expect(redelivered).toEqual(sent.accepted.filter((a) => a.seq > acknowledged).sort((x, y) => x.seq - y.seq).map((a) => a.id));
  expect((await readMetrics(relay.url)).whcli_relay_events_pending).toBe(0);

  recordFigures('fault', 'listener SIGKILL mid-stream', {
    sent: EVENTS,
    accepted: sent.accepted.length,
    reachedHandler: counts.size,
    acknowledgedAtKill: acknowledged,
    deliveredTwice: duplicated.length,
    deliveredTwiceAcknowledged: 0,
    lost: lost.length,
  });
});
