/**
 * Fault: the handler hangs (never answers) on 10 of 1,000 events; the listener runs with
 * `--timeout 250ms`. Real `whcli relay` and `whcli listen` processes on loopback.
 *
 * Expected: each hung delivery is reported as a timeout (in the listener's NDJSON and in history) and
 * the stream moves on; every other event is delivered; nothing is lost or left pending.
 */
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { waitForMetrics } from '../helpers/relay-client.js';
import { recordFigures } from '../helpers/reliability-report.js';
import { countById, EVENTS, eventId, listenerView, sendEvents } from './fault-kit.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

const hangs = (n: number) => n % 100 === 50;

it('a handler that hangs: each hang reported as a timeout, the stream moves on, nothing lost', async () => {
  const home = await makeHome();
  const relay = await startRelayProcess(home, ['--store', 'memory', '--rate-limit', '0']);
  const handler = await startHandler((request) => (hangs((JSON.parse(request.body.toString()) as { n: number }).n) ? { status: 200, hang: true } : { status: 200, body: 'ok' }));
  const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', relay.url, '--timeout', '250ms', '--ordered']);
  const lines = () => listenerView(listener.proc).deliveries;

  const sent = await sendEvents(() => listener.ready.url, 'hang', { from: 0, to: EVENTS });
  expect(sent.accepted).toHaveLength(EVENTS);
  await listener.proc.waitFor(() => (lines().length >= EVENTS ? true : undefined), `${EVENTS} delivery lines`, 30_000);
  await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'every event to be acknowledged');

  const hung = Array.from({ length: EVENTS }, (_, n) => n).filter(hangs).map((n) => eventId('hang', n));
  const timedOut = lines().filter((d) => d.report.error?.kind === 'timeout');
  expect(timedOut.map((d) => d.eventId).sort()).toEqual([...hung].sort());
  expect(lines().filter((d) => d.report.ok)).toHaveLength(EVENTS - hung.length);
  expect(lines().filter((d) => !d.report.ok && d.report.error?.kind !== 'timeout')).toEqual([]);
  // The handler did receive every request, the hung ones included: nothing was lost on the way.
  const counts = countById(handler.requests);
  expect(counts.size).toBe(EVENTS);
  expect([...counts.values()].every((c) => c === 1)).toBe(true);

  await listener.proc.kill('SIGTERM');
  const listed = await runCli(['history', '--json', '--limit', String(EVENTS)], home);
  const history = JSON.parse(listed.stdout) as { eventId: string; report: { error?: { kind: string } } }[];
  expect(history.filter((h) => h.report.error?.kind === 'timeout').map((h) => h.eventId).sort()).toEqual([...hung].sort());

  recordFigures('fault', 'handler hanging (10 of 1,000, --timeout 250ms)', {
    sent: EVENTS,
    accepted: EVENTS,
    reachedHandler: counts.size,
    answered: EVENTS - hung.length,
    timeoutsReported: timedOut.length,
    lost: EVENTS - counts.size,
  });
});
