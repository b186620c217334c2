/**
 * `whcli relay` as a process, probed with `ws` and plain HTTP: upgrade refusals with real statuses,
 * ingress 404/413, several listeners per channel, /healthz and /metrics, malformed protocol messages
 * closing only the offending socket, and --respond-with handler.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { deliveries, makeHome, startListenerProcess, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { postEvent, readMetrics, savedChannel, sendRaw, socketUrl, waitForMetrics } from '../helpers/relay-client.js';
import { decodeEventFrames } from '../../src/relay/protocol.js';

const sockets = new Set<WebSocket>();

afterEach(async () => {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
  await stopAllProcesses();
  await closeAllHandlers();
});

async function createChannel(relay: RelayProcess): Promise<{ id: string; token: string; url: string }> {
  const response = await fetch(`${relay.url}/api/channels`, { method: 'POST' });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string; url: string };
}

/** The HTTP status the relay answers a WebSocket upgrade with (101 when it accepts). */
async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(url, { headers });
  sockets.add(ws);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once('upgrade', (res) => resolve(res.statusCode ?? 0));
    ws.once('error', (error) => reject(error));
  });
}

/** A hand-driven listener socket: frames it received, decoded independently of src/. */
class RawListener {
  readonly ws: WebSocket;
  readonly texts: Record<string, unknown>[] = [];
  readonly events: { seq: number; body: Buffer }[] = [];
  readonly opened: Promise<unknown>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(relay: RelayProcess, channel: string, token: string) {
    this.ws = new WebSocket(socketUrl(relay.url, channel), { headers: { authorization: `Bearer ${token}` } });
    sockets.add(this.ws);
    this.opened = once(this.ws, 'open');
    this.closed = once(this.ws, 'close').then(([code, reason]) => ({ code: code as number, reason: (reason as Buffer).toString() }));
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return void this.texts.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const event of decodeEventFrames(data, channel)) this.events.push({ seq: event.seq, body: event.body });
      this.ws.emit('relay-event');
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  async hello(): Promise<Record<string, unknown>> {
    await this.opened;
    this.send({ type: 'hello', v: 1 });
    while (!this.texts.some((t) => t.type === 'ready')) await once(this.ws, 'message');
    return this.texts.find((t) => t.type === 'ready')!;
  }

  async waitForEvents(count: number): Promise<void> {
    while (this.events.length < count) await once(this.ws, 'relay-event');
  }
}

describe('whcli relay', () => {
  it('refuses a wrong or missing token with 401 and an unknown channel with 404 on the upgrade', async () => {
    const relay = await startRelayProcess(await makeHome());
    const channel = await createChannel(relay);
    expect(channel.id).toMatch(/^ch_[A-Za-z0-9_-]{22,}$/);
    expect(channel.url).toBe(`${relay.url}/c/${channel.id}`);

    const url = socketUrl(relay.url, channel.id);
    expect(await upgradeStatus(url, { authorization: 'Bearer wht_wrong' })).toBe(401);
    expect(await upgradeStatus(url, { authorization: `Bearer ${channel.token}x` })).toBe(401);
    expect(await upgradeStatus(url, {})).toBe(401);
    expect(await upgradeStatus(url, { authorization: channel.token })).toBe(401); // not a Bearer credential
    expect(await upgradeStatus(socketUrl(relay.url, 'ch_doesnotexist'), { authorization: `Bearer ${channel.token}` })).toBe(404);
    expect(await upgradeStatus(`${relay.url.replace('http', 'ws')}/elsewhere`, { authorization: `Bearer ${channel.token}` })).toBe(404);
    expect(await upgradeStatus(url, { authorization: `Bearer ${channel.token}` })).toBe(101);

    const metrics = await readMetrics(relay.url);
    expect(metrics['whcli_relay_ingress_rejected_total{reason="unauthorized"}']).toBe(4);
  });

  it('answers 404 at the ingress of an unknown channel', async () => {
    const relay = await startRelayProcess(await makeHome());
    const answer = await postEvent(`${relay.url}/c/ch_doesnotexist/path?q=1`, '{"id":"evt_1"}');
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ error: 'unknown channel' });
    expect((await readMetrics(relay.url))['whcli_relay_ingress_rejected_total{reason="unknownChannel"}']).toBe(1);
  });

  it('answers 413 for a body over --max-body, declared or chunked, and stores nothing of it', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--max-body', '1kb']);
    const channel = await createChannel(relay);

    expect((await sendRaw(channel.url, { body: Buffer.alloc(1024, 'a') })).status).toBe(200);
    const declared = await sendRaw(channel.url, { body: Buffer.alloc(1025, 'a') });
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect((await sendRaw(channel.url, { body: Buffer.alloc(3000, 'b'), chunked: true })).status).toBe(413);

    const metrics = await readMetrics(relay.url);
    expect(metrics['whcli_relay_ingress_rejected_total{reason="tooLarge"}']).toBe(2);
    expect(metrics.whcli_relay_events_received_total).toBe(1);
    expect(metrics.whcli_relay_events_pending).toBe(1);
  });

  it('answers 503 with Retry-After once a channel holds --max-pending unacknowledged events', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--max-pending', '2']);
    const channel = await createChannel(relay);
    expect((await postEvent(channel.url, '{"n":1}')).status).toBe(200);
    expect((await postEvent(channel.url, '{"n":2}')).status).toBe(200);
    const full = await sendRaw(channel.url, { body: '{"n":3}' });
    expect(full.status).toBe(503);
    expect(full.headers['retry-after']).toBe('30');
    const metrics = await readMetrics(relay.url);
    expect(metrics['whcli_relay_ingress_rejected_total{reason="full"}']).toBe(1);
    expect(metrics.whcli_relay_events_pending).toBe(2);
  });

  it('gives every event to each of two listeners on one channel', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home);
    const [handlerA, handlerB] = await Promise.all([startHandler(), startHandler()]);
    // --ordered: the relay's order is asserted below; by default deliveries overlap.
    const a = await startListenerProcess(home, ['--forward', handlerA.url, '--relay', relay.url, '--ordered']);
    // Same WHCLI_HOME: the second listener reuses the saved channel.
    const b = await startListenerProcess(home, ['--forward', handlerB.url, '--relay', relay.url, '--ordered']);
    expect(b.ready.channel).toBe(a.ready.channel);
    expect((await readMetrics(relay.url)).whcli_relay_listeners).toBe(2);

    const bodies = Array.from({ length: 20 }, (_, n) => `{"id":"evt_${n}","n":${n}}`);
    for (const body of bodies) expect((await postEvent(a.ready.url, body)).status).toBe(200);
    await Promise.all([handlerA.waitForRequests(20), handlerB.waitForRequests(20)]);
    expect(handlerA.requests.map((r) => r.body.toString())).toEqual(bodies);
    expect(handlerB.requests.map((r) => r.body.toString())).toEqual(bodies);
  });

  it('serves /healthz, and /metrics in Prometheus text with received, delivered, pending and listeners', async () => {
    const relay = await startRelayProcess(await makeHome());
    const health = await fetch(`${relay.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    const channel = await createChannel(relay);
    const listener = new RawListener(relay, channel.id, channel.token);
    expect(await listener.hello()).toMatchObject({ type: 'ready', v: 1, channel: channel.id, url: channel.url, resumeFrom: 0 });
    await postEvent(channel.url, '{"n":1}');
    await postEvent(channel.url, '{"n":2}');
    await listener.waitForEvents(2);
    expect(listener.events.map((e) => [e.seq, e.body.toString()])).toEqual([
      [1, '{"n":1}'],
      [2, '{"n":2}'],
    ]);
    listener.send({ type: 'ack', seq: 1, report: { ok: true, status: 200, durationMs: 1 } });
    // Synchronise on the relay having read the ack: metrics are requested after a round trip that
    // follows it on the same socket (the relay answers pings in order).
    listener.ws.ping();
    await once(listener.ws, 'pong');

    const response = await fetch(`${relay.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of ['whcli_relay_events_received_total', 'whcli_relay_events_delivered_total', 'whcli_relay_events_pending', 'whcli_relay_listeners']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'));
    }
    const metrics = await readMetrics(relay.url);
    expect(metrics).toMatchObject({
      whcli_relay_events_received_total: 2,
      whcli_relay_events_delivered_total: 1,
      whcli_relay_events_pending: 1,
      whcli_relay_listeners: 1,
      whcli_relay_channels: 1,
    });
  });

  it('closes only the socket that sends a malformed message, with a reason; another listener keeps receiving', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home);
    const handler = await startHandler();
    const good = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url]);
    const { id, token } = await savedChannel(home, relay.url);
    expect(id).toBe(good.ready.channel);

    await postEvent(good.ready.url, '{"n":"before"}');
    await handler.waitForRequests(1);

    const cases: { name: string; hello: boolean; message: unknown; code: number; reason: string }[] = [
      { name: 'not JSON', hello: true, message: 'this is not json', code: 1008, reason: 'message is not JSON' },
      { name: 'unknown type', hello: true, message: { type: 'subscribe' }, code: 1008, reason: 'unknown message type "subscribe"' },
      { name: 'binary frame', hello: true, message: Buffer.from([1, 2, 3]), code: 1003, reason: 'listeners send text messages only' },
      { name: 'ack before hello', hello: false, message: { type: 'ack', seq: 1, report: { ok: true, durationMs: 0 } }, code: 1008, reason: 'ack before hello' },
      { name: 'wrong version', hello: false, message: { type: 'hello', v: 2 }, code: 1008, reason: 'unsupported protocol version 2' },
      { name: 'second hello', hello: true, message: { type: 'hello', v: 1 }, code: 1008, reason: 'hello sent twice' },
      { name: 'malformed ack', hello: true, message: { type: 'ack', seq: 'one', report: { ok: true } }, code: 1008, reason: 'ack.seq must be an integer' },
    ];
    for (const c of cases) {
      const bad = new RawListener(relay, id, token);
      if (c.hello) await bad.hello();
      else await bad.opened;
      bad.send(c.message);
      const closed = await bad.closed;
      expect(closed, c.name).toEqual({ code: c.code, reason: c.reason });
      expect(bad.texts.at(-1), c.name).toEqual({ type: 'error', code: 'WHCLI_ERR_PROTOCOL', message: c.reason });
    }

    await postEvent(good.ready.url, '{"n":"after"}');
    await handler.waitForRequests(2);
    expect(handler.requests.map((r) => r.body.toString())).toEqual(['{"n":"before"}', '{"n":"after"}']);
    expect(good.proc.alive).toBe(true);
    expect(good.proc.lines.filter((l) => l.type === 'status' && l.status === 'disconnected')).toEqual([]);
    // A refused socket is counted out when its TCP close arrives, after the client saw the close frame.
    const metrics = await waitForMetrics(relay.url, (m) => m.whcli_relay_listeners === 1, 'the refused listeners to be counted out');
    expect(metrics.whcli_relay_protocol_errors_total).toBe(cases.length);
  });

  it('--respond-with handler answers the ingress with the handler status and body', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home, ['--respond-with', 'handler']);
    const handler = await startHandler((req) => (req.body.toString().includes('fail') ? { status: 500, body: 'handler broke' } : { status: 202, body: 'accepted' }));
    const listener = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url]);

    const failed = await sendRaw(listener.ready.url, { body: '{"action":"fail"}' });
    expect(failed.status).toBe(500);
    expect(failed.body.toString()).toBe('handler broke');
    const accepted = await sendRaw(listener.ready.url, { body: '{"action":"ok"}' });
    expect(accepted.status).toBe(202);
    expect(accepted.body.toString()).toBe('accepted');
    expect(accepted.headers['x-whcli-event-id']).toMatch(/^rev_/);
    const lines = await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 2 ? deliveries(listener.proc) : undefined), 'two delivery lines');
    expect(lines.map((l) => (l.report as { status: number }).status)).toEqual([500, 202]);
  });
});
