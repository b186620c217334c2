/**
 * Kill the listener (SIGKILL), POST 200 events, start it again: all 200 arrive, in
 * order, nothing twice; the same while the WebSocket is cut mid-stream (a TCP proxy between listener
 * and relay resets every connection). Real `whcli relay` and `whcli listen` processes on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, startHandler, type TestHandler } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, startRelayProcess, stopAllProcesses, type ListenerProcess, type RelayProcess } from '../helpers/processes.js';
import { postEvent, readMetrics, waitForMetrics } from '../helpers/relay-client.js';
import { closeAllProxies, startTcpProxy } from '../helpers/tcp-proxy.js';

const EVENTS = 200;
/** 200 events back to back exceed the default per-channel rate limit, which is not under test here. */
const UNTHROTTLED = ['--rate-limit', '0'];

afterEach(async () => {
  await stopAllProcesses();
  await closeAllProxies();
  await closeAllHandlers();
});

function eventBody(label: string, n: number): string {
  return JSON.stringify({ id: `evt_${label}_${n}`, object: 'event', type: 'invoice.paid', n });
}

/** The `id`s of the bodies the handler received, in arrival order. */
function receivedIds(handler: TestHandler): string[] {
  return handler.requests.map((r) => (JSON.parse(r.body.toString('utf8')) as { id: string }).id);
}

function ids(label: string, count: number): string[] {
  return Array.from({ length: count }, (_, n) => `evt_${label}_${n}`);
}

/** POSTs events one after another (so the relay's sequence follows n); each must be accepted. */
async function postMany(url: string, label: string, count: number, onEach?: (n: number) => Promise<void> | void): Promise<void> {
  for (let n = 0; n < count; n++) {
    const answer = await postEvent(url, eventBody(label, n));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    await onEach?.(n);
  }
}

/**
 * Everything acknowledged, then one more event: it arrives after anything the relay might still
 * resend, so "exactly `expected` then the sentinel" proves nothing came twice.
 */
async function expectExactlyThenSentinel(relay: RelayProcess, listener: ListenerProcess, handler: TestHandler, expected: string[]): Promise<void> {
  await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'every event to be acknowledged');
  await postEvent(listener.ready.url, eventBody('sentinel', 0));
  await listener.proc.waitForLine((l) => l.type === 'delivery' && l.eventId === 'evt_sentinel_0', 'the sentinel delivery');
  expect(receivedIds(handler)).toEqual([...expected, 'evt_sentinel_0']);
}

describe('at-least-once delivery', () => {
  it('buffers 200 events while the listener is SIGKILLed and delivers each once, in order, after a restart', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home, UNTHROTTLED);
    const handler = await startHandler();
    const args = ['--forward', `${handler.url}/hooks`, '--relay', relay.url, '--provider', 'stripe', '--secret', 'whsec_x', '--ordered'];

    const first = await startListenerProcess(home, args);
    await postMany(first.ready.url, 'warmup', 3);
    await handler.waitForRequests(3);
    // Acknowledged at the relay: what follows must not be excused as a legitimate redelivery.
    await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'the warm-up events to be acknowledged');

    await first.proc.kill('SIGKILL');
    expect(first.proc.exitSignal).toBe('SIGKILL');
    await postMany(first.ready.url, 'burst', EVENTS);
    // Nothing can acknowledge them now: all 200 are pending at the relay.
    expect((await readMetrics(relay.url)).whcli_relay_events_pending).toBe(EVENTS);
    expect(handler.requests).toHaveLength(3);

    // Same WHCLI_HOME: the saved channel is reused, so the public URL did not change.
    const second = await startListenerProcess(home, args);
    expect(second.ready.channel).toBe(first.ready.channel);
    expect(second.ready.url).toBe(first.ready.url);
    await handler.waitForRequests(3 + EVENTS);
    await expectExactlyThenSentinel(relay, second, handler, [...ids('warmup', 3), ...ids('burst', EVENTS)]);
    const lines = second.proc.lines.filter((l) => l.type === 'delivery');
    expect(lines.map((l) => l.eventId)).toEqual([...ids('burst', EVENTS), 'evt_sentinel_0']);
    expect(lines.every((l) => (l.report as { ok: boolean }).ok)).toBe(true);
  });

  it('delivers 200 events once each, in order, while the WebSocket is cut mid-stream twice', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home, UNTHROTTLED);
    const proxy = await startTcpProxy(relay.port);
    const handler = await startHandler();
    const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', proxy.url, '--provider', 'stripe', '--secret', 'whsec_x', '--ordered']);
    // The ingress URL is the relay's own: only the listener's WebSocket goes through the proxy.
    expect(listener.ready.url.startsWith(relay.url)).toBe(true);

    const disconnects = () => listener.proc.lines.filter((l) => l.type === 'status' && l.status === 'disconnected').length;
    const readies = () => listener.proc.lines.filter((l) => l.type === 'status' && l.status === 'ready').length;
    const cutAt = new Set([50, 130]);
    const cuts: Promise<unknown>[] = [];
    let cutCount = 0;
    // Cut while the listener is busy: connected, the handler past event n-10, more on the way.
    await postMany(listener.ready.url, 'stream', EVENTS, async (n) => {
      if (!cutAt.has(n)) return;
      await handler.waitForRequests(n - 10);
      await listener.proc.waitFor(() => (readies() > cutCount ? true : undefined), 'the listener to be connected');
      expect(proxy.cut()).toBeGreaterThan(0);
      cutCount += 1;
      const expected = cutCount;
      cuts.push(listener.proc.waitFor(() => (disconnects() >= expected ? true : undefined), `disconnect #${expected} to be reported`));
    });
    await Promise.all(cuts);

    await handler.waitForRequests(EVENTS);
    await expectExactlyThenSentinel(relay, listener, handler, ids('stream', EVENTS));
    expect(disconnects()).toBeGreaterThanOrEqual(2);
    expect(readies()).toBeGreaterThanOrEqual(3);
    const status = listener.proc.lines.find((l) => l.type === 'status' && l.status === 'disconnected')!;
    expect(status).toMatchObject({ type: 'status', status: 'disconnected', reason: expect.any(String), retryInMs: expect.any(Number) });
  });

  it('with the default concurrency, delivers 200 events once each while the WebSocket is cut mid-stream twice', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home, UNTHROTTLED);
    const proxy = await startTcpProxy(relay.port);
    const handler = await startHandler();
    const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', proxy.url, '--provider', 'stripe', '--secret', 'whsec_x']);
    const readies = () => listener.proc.lines.filter((l) => l.type === 'status' && l.status === 'ready').length;
    const cutAt = new Set([50, 130]);
    let cutCount = 0;
    await postMany(listener.ready.url, 'parallel', EVENTS, async (n) => {
      if (!cutAt.has(n)) return;
      await handler.waitForRequests(n - 10);
      await listener.proc.waitFor(() => (readies() > cutCount ? true : undefined), 'the listener to be connected');
      expect(proxy.cut()).toBeGreaterThan(0);
      cutCount += 1;
    });
    await handler.waitForRequests(EVENTS);
    await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'every event to be acknowledged');
    await postEvent(listener.ready.url, eventBody('sentinel', 0));
    await listener.proc.waitForLine((l) => l.type === 'delivery' && l.eventId === 'evt_sentinel_0', 'the sentinel delivery');
    // Several in flight at once: arrival order may differ from the relay's, but each arrives exactly once.
    const received = receivedIds(handler);
    expect([...received].sort()).toEqual([...ids('parallel', EVENTS), 'evt_sentinel_0'].sort());
  });
});
