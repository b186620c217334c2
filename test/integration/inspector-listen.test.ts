/**
 * The web inspector of a real `whcli listen` process, without a browser: where it listens, what the
 * ready line and banner say, its live feed and JSON, a replay through its API checked with Stripe's
 * library, the requests it refuses, and that the signing secret never reaches anything it serves.
 */
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler, type TestHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startCli, startListenerProcess, stopAllProcesses, type ListenerProcess } from '../helpers/processes.js';
import { sendRaw } from '../helpers/relay-client.js';

const SECRET = 'whsec_inspector_listen_secret_9f8e7d';
const BODY = '{"id":"evt_api_1","object":"event","type":"invoice.paid","data":{"object":{"amount":1234}}}';

let handler: TestHandler;
let listener: ListenerProcess;
let inspector: string;

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

async function start(extra: string[] = ['--inspect', '0']): Promise<void> {
  handler = await startHandler();
  listener = await startListenerProcess(await makeHome(), ['--port', '0', '--forward', `${handler.url}/hooks`, '--provider', 'stripe', '--secret', SECRET, ...extra]);
  inspector = listener.ready.inspector as string;
}

async function pageToken(): Promise<{ html: string; token: string }> {
  const html = await (await fetch(inspector)).text();
  const token = /<meta name="whcli-token" content="([A-Za-z0-9_-]{43})">/.exec(html)?.[1];
  if (!token) throw new Error(`no token in the page:\n${html}`);
  return { html, token };
}

/** Reads server-sent events from the inspector until `until` says enough, within a deadline. */
async function readEvents(url: string, until: (events: { event: string; data: unknown }[]) => boolean, timeoutMs = 10_000) {
  const req = request(url, { agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  const events: { event: string; data: unknown }[] = [];
  let buffer = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stream: only ${JSON.stringify(events)} within ${timeoutMs}ms`)), timeoutMs);
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        if (until(events)) {
          clearTimeout(timer);
          resolve();
        }
      });
      res.on('error', reject);
    });
  } finally {
    req.destroy();
  }
  return events;
}

/**
 * Listens on `port` so a listener cannot. Other tests' listeners take 4040 for a moment too: wait for
 * it; a port still busy after the wait is held by a long-lived program, which serves as well.
 */
async function holdPort(port: number, waitMs = 10_000): Promise<Server | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const server = createServer();
    try {
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      return server;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function post(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(response.status).toBe(200);
}

describe('whcli listen --inspect', () => {
  it('serves the inspector on 127.0.0.1 and names it in the ready line', async () => {
    await start();
    expect(inspector).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(inspector);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(listener.proc.stderr).toBe('');
  });

  it('--no-inspect serves nothing and leaves the ready line without it', async () => {
    await start(['--no-inspect']);
    expect(listener.ready).not.toHaveProperty('inspector');
  });

  it('prints the inspector URL in the banner', async () => {
    handler = await startHandler();
    const proc = startCli(['listen', '--port', '0', '--inspect', '0', '--forward', `${handler.url}/hooks`], await makeHome());
    const match = await proc.waitFor(() => /^ {2}Inspector {4}(http:\/\/127\.0\.0\.1:\d+)$/m.exec(proc.stdout) ?? undefined, 'the banner');
    expect((await fetch(match[1]!)).status).toBe(200);
  });

  it('moves off a taken 4040 by itself, and says so in the banner and the ready line only', async () => {
    const blocker = await holdPort(4040);
    try {
      handler = await startHandler();
      const json = await startListenerProcess(await makeHome(), ['--port', '0', '--forward', handler.url]);
      expect(json.ready.inspectorPortTaken).toBe(4040);
      expect(json.ready.inspector).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(json.ready.inspector).not.toBe('http://127.0.0.1:4040');
      const human = startCli(['listen', '--port', '0', '--forward', handler.url], await makeHome());
      await human.waitFor(() => /^ {2}Inspector {4}http:\/\/127\.0\.0\.1:\d+ {2}\(port 4040 is taken\)$/m.exec(human.stdout) ?? undefined, 'the banner');
      // Not a warning: a second `whcli listen` is normal.
      expect(json.proc.stderr).toBe('');
      expect(human.stderr).toBe('');
    } finally {
      blocker?.close();
    }
  });

  it('refuses a taken --inspect port with a usage error', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    try {
      const run = await runCli(['listen', '--port', '0', '--inspect', String(port), '--forward', '3000'], await makeHome());
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(`whcli: cannot serve the inspector on 127.0.0.1:${port}: the port is taken (use another --inspect port, or --no-inspect)`);
    } finally {
      blocker.close();
    }
  });

  it('rejects a malformed --inspect port', async () => {
    const run = await runCli(['listen', '--inspect', 'abc', '--forward', '3000'], await makeHome());
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('whcli: --inspect must be a port number (0 picks a free one), got "abc"');
  });

  it('streams a snapshot then each delivery live, serves its detail, and replays it freshly signed', async () => {
    await start();
    const { token } = await pageToken();
    const streamUrl = `${inspector}/api/stream?token=${token}`;
    const live = readEvents(streamUrl, (events) => events.some((e) => e.event === 'exchange'));
    await post(listener.ready.url, BODY);
    const events = await live;
    expect(events[0]).toEqual({
      event: 'snapshot',
      data: { session: { url: listener.ready.url, forward: `${handler.url}/hooks`, provider: 'stripe', resign: true, capacity: 500 }, exchanges: [] },
    });
    expect(events[1]).toMatchObject({
      event: 'exchange',
      data: { id: '1', attempt: 1, edited: false, method: 'POST', path: '/', eventType: 'invoice.paid', providerEventId: 'evt_api_1', ok: true, status: 200 },
    });

    const detail = (await (await fetch(`${inspector}/api/exchanges/1`, { headers: { 'x-whcli-token': token } })).json()) as Record<string, any>;
    expect(detail.received.body).toEqual({ size: BODY.length, contentType: 'application/json', text: BODY, json: true });
    expect(detail.sent.url).toBe(`${handler.url}/hooks`);
    expect(detail.sent.signed).toEqual(['stripe-signature']);
    const sentSignature = (detail.sent.headers as [string, string][]).find(([name]) => name.toLowerCase() === 'stripe-signature')?.[1];
    expect(sentSignature).toBe(headerValues(handler.requests[0]!, 'stripe-signature')[0]);
    expect(detail.response).toMatchObject({ status: 200, body: 'ok', bodyBytes: 2 });

    const replay = await fetch(`${inspector}/api/exchanges/1/replay`, {
      method: 'POST',
      headers: { 'x-whcli-token': token, origin: inspector, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(replay.status).toBe(201);
    expect(await replay.json()).toMatchObject({ id: '2', attempt: 2, replayOf: '1', ok: true, status: 200 });
    const [, second] = await handler.waitForRequests(2);
    expect(second!.body.toString()).toBe(BODY);
    const event = new Stripe('sk_test_not_used').webhooks.constructEvent(second!.body, headerValues(second!, 'stripe-signature')[0]!, SECRET);
    expect(event).toMatchObject({ id: 'evt_api_1', type: 'invoice.paid' });
    await listener.proc.waitForLine((l) => l.type === 'replay' && l.id === '2', 'the replay line');

    // A reconnecting page gets both in its snapshot.
    const again = await readEvents(streamUrl, (e) => e.length > 0);
    expect((again[0]!.data as { exchanges: { id: string }[] }).exchanges.map((x) => x.id)).toEqual(['1', '2']);
  });

  it('never serves the signing secret: not in the page, its files, the stream or the JSON', async () => {
    await start();
    const { html, token } = await pageToken();
    await post(listener.ready.url, BODY);
    await listener.proc.waitForLine((l) => l.type === 'delivery', 'the delivery');
    const served = [html];
    for (const asset of ['app.js', 'api.js', 'render.js', 'format.js', 'app.css', 'favicon.svg']) {
      const response = await fetch(`${inspector}/assets/${asset}`);
      expect(response.status, asset).toBe(200);
      served.push(await response.text());
    }
    const stream = await readEvents(`${inspector}/api/stream?token=${token}`, (e) => e.length > 0);
    served.push(JSON.stringify(stream));
    served.push(await (await fetch(`${inspector}/api/exchanges/1`, { headers: { 'x-whcli-token': token } })).text());
    served.push(await (await fetch(`${inspector}/api/session`, { headers: { 'x-whcli-token': token } })).text());
    for (const text of served) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.slice('whsec_'.length));
    }
  });

  it('refuses actions without the token, from another origin or host, or not as JSON: 403, nothing sent', async () => {
    await start();
    const { token } = await pageToken();
    await post(listener.ready.url, BODY);
    await handler.waitForRequests(1);
    const replayUrl = `${inspector}/api/exchanges/1/replay`;
    const host = new URL(inspector).host;
    const good: [string, string][] = [['Origin', inspector], ['X-Whcli-Token', token], ['Content-Type', 'application/json']];
    const without = (name: string) => good.filter(([n]) => n !== name);
    const attempts: [string, Parameters<typeof sendRaw>[1]][] = [
      ['a plain POST', { headers: [], body: '{}' }],
      ['no token', { headers: without('X-Whcli-Token'), body: '{}' }],
      ['a wrong token', { headers: [...without('X-Whcli-Token'), ['X-Whcli-Token', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`]], body: '{}' }],
      ['no Origin', { headers: without('Origin'), body: '{}' }],
      ['another origin', { headers: [...without('Origin'), ['Origin', 'http://127.0.0.1:1']], body: '{}' }],
      ['a null origin', { headers: [...without('Origin'), ['Origin', 'null']], body: '{}' }],
      ['a cross-site fetch', { headers: [...good, ['Sec-Fetch-Site', 'cross-site']], body: '{}' }],
      ['a rebinding Host', { headers: [['Host', `evil.example:${new URL(inspector).port}`], ...good], body: '{}' }],
      ['a text/plain body', { headers: [...without('Content-Type'), ['Content-Type', 'text/plain']], body: '{}' }],
      ['a CORS preflight', { method: 'OPTIONS', headers: [['Origin', 'http://127.0.0.1:1'], ['Access-Control-Request-Method', 'POST'], ['Access-Control-Request-Headers', 'x-whcli-token']] }],
    ];
    for (const [what, options] of attempts) {
      const answer = await sendRaw(replayUrl, options);
      expect(answer.status, what).toBe(403);
      expect(answer.headers['access-control-allow-origin'], what).toBeUndefined();
    }
    // Reading is refused too without the token, and under a foreign Host even for the page.
    expect((await sendRaw(`${inspector}/api/exchanges/1`, { method: 'GET' })).status).toBe(403);
    expect((await sendRaw(`${inspector}/api/stream`, { method: 'GET' })).status).toBe(403);
    expect((await sendRaw(`${inspector}/`, { method: 'GET', headers: [['Host', `evil.example:${new URL(inspector).port}`]] })).status).toBe(403);
    expect((await sendRaw(`${inspector}/`, { method: 'GET', headers: [['Host', host]] })).status).toBe(200);
    expect(handler.requests).toHaveLength(1);
    expect(listener.proc.lines.filter((l) => l.type === 'replay')).toEqual([]);

    // The same request as the page's, for contrast: accepted.
    expect((await sendRaw(replayUrl, { headers: good, body: '{}' })).status).toBe(201);
    await handler.waitForRequests(2);
  });
});
