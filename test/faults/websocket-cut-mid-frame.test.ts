/**
 * Fault: the WebSocket between listener and relay is cut in the middle of a frame, three times during
 * 1,000 events: twice inside an event frame on its way to the listener, once inside an ack frame on
 * its way to the relay. A TCP proxy that follows the frames lets half a frame through, ends the stream
 * to the receiver and resets the sender. Real `whcli relay` and `whcli listen` processes on loopback.
 *
 * Expected: each event reaches the handler exactly once, in order (the listener confirms what the relay
 * resends as duplicates); each cut shows as a disconnect in the listener's output.
 */
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { postEvent, readMetrics, waitForMetrics } from '../helpers/relay-client.js';
import { recordFigures } from '../helpers/reliability-report.js';
import { closeAllProxies, startTcpProxy, type Direction, type MidFrameCut } from '../helpers/tcp-proxy.js';
import { EVENTS, eventBody, idOf, listenerView, sendEvents, type Accepted } from './fault-kit.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllProxies();
  await closeAllHandlers();
});

it('the WebSocket cut mid-frame three times: every event delivered exactly once, in order, each cut reported', async () => {
  const home = await makeHome();
  const relay = await startRelayProcess(home, ['--store', 'memory', '--rate-limit', '0']);
  const proxy = await startTcpProxy(relay.port);
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', proxy.url, '--no-history', '--ordered']);
  const view = () => listenerView(listener.proc);

  const cuts: MidFrameCut[] = [];
  const phases: { to: number; cut?: Direction }[] = [{ to: 250 }, { to: 500, cut: 'down' }, { to: 750, cut: 'up' }, { to: EVENTS, cut: 'down' }];
  let from = 0;
  const accepted: Accepted[] = [];
  for (const phase of phases) {
    let cut: Promise<MidFrameCut> | undefined;
    if (phase.cut) {
      // Armed before the phase's events are sent: the first frame of that direction is the one cut.
      const readies = view().readies.length;
      cut = proxy.cutMidFrame(phase.cut, 8);
      const sent = await sendEvents(() => listener.ready.url, 'cut', { from, to: phase.to });
      accepted.push(...sent.accepted);
      cuts.push(await cut);
      await listener.proc.waitFor(() => (view().readies.length > readies ? true : undefined), `the reconnection after cut ${cuts.length}`);
    } else {
      const sent = await sendEvents(() => listener.ready.url, 'cut', { from, to: phase.to });
      accepted.push(...sent.accepted);
    }
    from = phase.to;
  }
  expect(accepted).toHaveLength(EVENTS);
  for (const cut of cuts) {
    // Really inside a frame: more than its header and less than all of it went through.
    expect(cut.forwardedBytes).toBeGreaterThan(2);
    expect(cut.forwardedBytes).toBeLessThan(cut.frameBytes);
  }
  expect(cuts.map((c) => c.direction)).toEqual(['down', 'up', 'down']);

  await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'every event to be acknowledged', 30_000);
  await postEvent(listener.ready.url, eventBody('sentinel', 0));
  await listener.proc.waitForLine((l) => l.type === 'delivery' && l.eventId === 'evt_sentinel_0', 'the sentinel');

  const received = handler.requests.map(idOf);
  // Sent 8 at a time, so n's order is not the relay's: the handler must see the relay's seq order.
  expect(received).toEqual([...accepted.sort((x, y) => x.seq - y.seq).map((a) => a.id), 'evt_sentinel_0']);
  const deliveries = view().deliveries;
  expect(deliveries.filter((d) => !d.report.ok)).toEqual([]);
  expect(view().disconnects.length).toBeGreaterThanOrEqual(3);
  expect((await readMetrics(relay.url)).whcli_relay_events_pending).toBe(0);

  recordFigures('fault', 'WebSocket cut mid-frame (3 cuts)', {
    sent: EVENTS,
    accepted: accepted.length,
    reachedHandler: received.length - 1,
    deliveredTwice: received.length - 1 - new Set(received.slice(0, -1)).size,
    lost: EVENTS - new Set(received.slice(0, -1)).size,
    disconnectsReported: view().disconnects.length,
    cutFrames: cuts.map((c) => `${c.direction} ${c.forwardedBytes}/${c.frameBytes} bytes`).join(', '),
  });
});
