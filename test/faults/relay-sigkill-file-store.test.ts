/**
 * Fault: `whcli relay --store file:<dir>` is killed with SIGKILL in the middle of 1,000 events and
 * started again on the same port and store; the listener stays up and reconnects by itself. The sender
 * retries what got no 200, as a provider does. Real processes on loopback.
 *
 * Expected: every event reaches the handler; none that the relay saw acknowledged comes twice (the
 * listener confirms resent ones as duplicates); an event can come twice only when the sender had to
 * send it twice (its first attempt died with the relay after being stored, unanswered). The outage is
 * visible: the sender saw failed attempts, the listener reported the disconnect.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { postEvent, waitForMetrics } from '../helpers/relay-client.js';
import { countById, EVENTS, eventBody, idOf, listenerView, recordSenderFault, sendEvents } from './fault-kit.js';

let storeDir: string | undefined;

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

it('the relay SIGKILLed mid-stream with the file store: nothing lost, nothing acknowledged delivered twice', async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'whcli-fault-store-'));
  const home = await makeHome();
  const args = ['--store', `file:${storeDir}`, '--rate-limit', '0'];
  let relay: RelayProcess = await startRelayProcess(home, args);
  const port = relay.port;
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', relay.url, '--no-history']);

  // Killed when half the events are sent, with requests in flight and the listener busy.
  let crash: Promise<void> | undefined;
  const sent = await sendEvents(() => listener.ready.url, 'crash', { from: 0, to: EVENTS }, {
    retry: true,
    retryDelayMs: 50,
    beforeEach: (n) => {
      if (n !== EVENTS / 2) return;
      crash = relay.proc.kill('SIGKILL').then(async () => {
        relay = await startRelayProcess(home, args, port);
      });
    },
  });
  await crash;
  expect(sent.accepted).toHaveLength(EVENTS);
  expect(sent.failedAttempts, 'the outage was not seen by the sender').toBeGreaterThan(0);

  await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'every event to be acknowledged', 180_000);
  await postEvent(listener.ready.url, eventBody('sentinel', 0));
  await listener.proc.waitForLine((l) => l.type === 'delivery' && l.eventId === 'evt_sentinel_0', 'the sentinel', 0, 180_000);

  const counts = countById(handler.requests.filter((r) => !idOf(r).startsWith('evt_sentinel')));
  const twice = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
  expect(counts.size).toBe(EVENTS);
  // Only an event its sender had to send again can arrive twice: two requests, two events.
  for (const id of twice) expect(sent.retriedIds.has(id), `${id} was sent once and delivered twice`).toBe(true);
  expect([...counts.values()].every((c) => c <= 2)).toBe(true);
  const view = listenerView(listener.proc);
  // No relay event (rev_ id, kept across the restart by the file store) reached the handler twice:
  // what the relay resent after losing acks in the crash, the listener confirmed without delivering.
  const relayEvents = view.deliveries.map((d) => d.id);
  expect(new Set(relayEvents).size).toBe(relayEvents.length);
  expect(relayEvents.length).toBe(handler.requests.length);
  expect(view.disconnects.length).toBeGreaterThanOrEqual(1);
  expect(view.deliveries.filter((d) => !d.report.ok)).toEqual([]);

  recordSenderFault('relay SIGKILL, file store', sent, counts, view.disconnects.length);
});
