/**
 * Fault: the handler goes down for 100 of 1,000 events, then comes back on the same port. Real
 * `whcli relay` and `whcli listen` processes on loopback.
 *
 * By design a delivery that failed is acknowledged and reported failed (the provider's retry, not the
 * relay, decides whether it comes again): those are "visible failures". Expected: nothing lost: every
 * event is either delivered or shown failed, in the listener's NDJSON and in `whcli history`, and
 * `whcli replay` sends each failed one to the handler once it is back.
 */
import { afterEach, expect, it } from 'vitest';
import { replay } from '../../src/commands/history.js';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { waitForMetrics } from '../helpers/relay-client.js';
import { recordFigures } from '../helpers/reliability-report.js';
import { countById, EVENTS, eventId, listenerView, sendEvents } from './fault-kit.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

interface HistoryLine {
  id: string;
  eventId?: string;
  report: { ok: boolean; status?: number; error?: { kind: string } };
}

it('the handler down then up: every event delivered or shown failed, and every failed one replayed', async () => {
  const home = await makeHome();
  const relay = await startRelayProcess(home, ['--store', 'memory', '--rate-limit', '0']);
  let handler = await startHandler();
  const port = handler.port;
  const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', relay.url, '--ordered']);
  const lines = () => listenerView(listener.proc).deliveries;
  const until = (count: number) => listener.proc.waitFor(() => (lines().length >= count ? true : undefined), `${count} delivery lines`, 30_000);

  const up1 = await sendEvents(() => listener.ready.url, 'down', { from: 0, to: 300 });
  await until(300);
  await handler.close();
  const down = await sendEvents(() => listener.ready.url, 'down', { from: 300, to: 400 });
  await until(400);
  handler = await startHandler(undefined, port);
  const up2 = await sendEvents(() => listener.ready.url, 'down', { from: 400, to: EVENTS });
  await until(EVENTS);
  expect(up1.accepted.length + down.accepted.length + up2.accepted.length).toBe(EVENTS);
  // Failed deliveries are acknowledged too: the relay holds nothing.
  await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'every event to be acknowledged');

  const shown = lines();
  const failed = shown.filter((d) => !d.report.ok);
  const delivered = shown.filter((d) => d.report.ok);
  expect(new Set(shown.map((d) => d.eventId)).size).toBe(EVENTS);
  // Exactly the events sent while the handler was down failed, each reported as refused.
  expect(new Set(failed.map((d) => d.eventId))).toEqual(new Set(down.accepted.map((a) => a.id)));
  for (const line of failed) expect(line.report.error?.kind).toBe('refused');
  expect(countById(handler.requests).size).toBe(delivered.length - 300);

  // A graceful stop flushes the history: it shows the same 1,000 outcomes.
  await listener.proc.kill('SIGTERM');
  const listed = await runCli(['history', '--json', '--limit', String(EVENTS)], home);
  expect(listed.code, listed.stderr).toBe(0);
  const history = JSON.parse(listed.stdout) as HistoryLine[];
  expect(history).toHaveLength(EVENTS);
  const failedInHistory = history.filter((h) => !h.report.ok);
  expect(new Set(failedInHistory.map((h) => h.eventId))).toEqual(new Set(failed.map((d) => d.eventId)));

  // `whcli replay` sends a failed event again: once through the CLI, the rest through the same command
  // function in this process (a process each would take a minute).
  const [first, ...rest] = failedInHistory;
  const run = await runCli(['replay', first!.id, '--json'], home);
  expect(run.code, run.stderr).toBe(0);
  const environment = { cwd: home, env: { WHCLI_HOME: home } };
  for (const entry of rest) expect((await replay(entry.id, {}, { environment })).result.ok).toBe(true);

  // The handler saw the first 300 before it went down; the one that came back has the other 700.
  const afterRestart = countById(handler.requests);
  const everything = new Set([...afterRestart.keys(), ...up1.accepted.map((a) => a.id)]);
  expect(everything).toEqual(new Set(Array.from({ length: EVENTS }, (_, n) => eventId('down', n))));
  expect([...afterRestart.values()].every((c) => c === 1)).toBe(true);

  recordFigures('fault', 'handler down then up', {
    sent: EVENTS,
    accepted: EVENTS,
    deliveredFirstTime: delivered.length,
    visibleFailures: failed.length,
    failuresInHistory: failedInHistory.length,
    replayed: failedInHistory.length,
    reachedHandlerInTheEnd: everything.size,
    lost: EVENTS - everything.size,
  });
});
