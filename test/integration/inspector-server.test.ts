/**
 * src/inspector/server.ts in this process on real sockets: the port fallback, loopback binding, the
 * files it serves and nothing else, a bounded log, edited bodies handed to the replay, and a prompt
 * close with live streams open.
 */
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeLog, type Exchange, type NewExchange } from '../../src/inspector/exchange-log.js';
import { startInspector, type InspectorOptions, type InspectorServer } from '../../src/inspector/server.js';
import { sendRaw } from '../helpers/relay-client.js';

const SESSION = { url: 'http://127.0.0.1:1/c/ch_test', forward: 'http://127.0.0.1:2/hooks', provider: 'stripe', resign: true };

function exchange(eventId: string, body = '{"type":"invoice.paid"}'): NewExchange {
  const bytes = Buffer.from(body);
  return {
    eventId,
    edited: false,
    receivedAt: 1_795_000_000_000,
    sentAt: 1_795_000_000_001,
    eventType: 'invoice.paid',
    received: { method: 'POST', path: '', query: '', headers: [['Content-Type', 'application/json']], body: bytes },
    sent: { url: 'http://127.0.0.1:2/hooks', method: 'POST', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': 't=1,v1=ab' }, body: bytes },
    result: { ok: true, status: 200, durationMs: 1.5, headers: { 'content-type': 'text/plain' }, body: 'ok', bodyBytes: 2 },
  };
}

const servers: InspectorServer[] = [];
const blockers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const blocker of blockers.splice(0)) blocker.close();
});

async function start(overrides: Partial<InspectorOptions> = {}): Promise<{ server: InspectorServer; log: ExchangeLog }> {
  const log = overrides.log ?? new ExchangeLog();
  const server = await startInspector({ port: 0, log, session: SESSION, replay: async (x) => ({ ...exchange(x.eventId), replayOf: x.id }), ...overrides });
  servers.push(server);
  return { server, log };
}

async function takenPort(): Promise<number> {
  const blocker = createServer().listen(0, '127.0.0.1');
  blockers.push(blocker);
  await once(blocker, 'listening');
  return (blocker.address() as AddressInfo).port;
}

function tokenHeaders(server: InspectorServer): [string, string][] {
  return [['Origin', server.url], ['X-Whcli-Token', server.token], ['Content-Type', 'application/json']];
}

describe('startInspector', () => {
  it('binds 127.0.0.1 only', async () => {
    const { server } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.portTaken).toBe(false);
  });

  it('picks a free port when the requested one is taken and fallback is on, and says so', async () => {
    const port = await takenPort();
    const { server } = await start({ port, fallback: true });
    expect(server.port).not.toBe(port);
    expect(server.portTaken).toBe(true);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('fails on a taken port without fallback', async () => {
    const port = await takenPort();
    await expect(start({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('serves the page with the token, its listed files, and nothing else', async () => {
    const { server } = await start();
    const page = await fetch(server.url);
    expect(await page.text()).toContain(`<meta name="whcli-token" content="${server.token}">`);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const script = await fetch(`${server.url}/assets/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    for (const path of ['/assets/../server.js', '/assets/%2e%2e/server.js', '/assets/nope.js', '/server.ts', '/public/index.html', '/api/nope']) {
      const answer = await sendRaw(`${server.url}${path}`, { method: 'GET' });
      expect([403, 404], path).toContain(answer.status);
      expect(answer.body.toString(), path).not.toContain('import ');
    }
    expect((await sendRaw(`${server.url}/`, { method: 'DELETE' })).status).toBe(405);
  });

  it('a new session token for every start', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.server.token).not.toBe(b.server.token);
    // One session's token is no good on the other.
    const answer = await sendRaw(`${b.server.url}/api/session`, { method: 'GET', headers: [['X-Whcli-Token', a.server.token]] });
    expect(answer.status).toBe(403);
  });

  it('hands an edited body to the replay as bytes and logs the result', async () => {
    const seen: (Buffer | undefined)[] = [];
    const replayed: Exchange[] = [];
    const { server, log } = await start({
      replay: async (x, body) => {
        seen.push(body);
        return { ...exchange(x.eventId), replayOf: x.id, edited: body !== undefined };
      },
      onReplay: (x) => replayed.push(x),
    });
    log.add(exchange('rev_1'));
    const plain = await sendRaw(`${server.url}/api/exchanges/1/replay`, { headers: tokenHeaders(server), body: '{}' });
    expect(plain.status).toBe(201);
    const edited = await sendRaw(`${server.url}/api/exchanges/1/replay`, { headers: tokenHeaders(server), body: JSON.stringify({ body: 'Zoë\n' }) });
    expect(JSON.parse(edited.body.toString())).toMatchObject({ id: '3', attempt: 3, replayOf: '1', edited: true });
    expect(seen).toEqual([undefined, Buffer.from('Zoë\n')]);
    expect(replayed.map((x) => x.id)).toEqual(['2', '3']);
    expect((await sendRaw(`${server.url}/api/exchanges/1/replay`, { headers: tokenHeaders(server), body: '{"body":3}' })).status).toBe(400);
    expect((await sendRaw(`${server.url}/api/exchanges/1/replay`, { headers: tokenHeaders(server), body: 'not json' })).status).toBe(400);
    expect((await sendRaw(`${server.url}/api/exchanges/9/replay`, { headers: tokenHeaders(server), body: '{}' })).status).toBe(404);
  });

  it('keeps the last entries only: older ones answer 404 with the reason', async () => {
    const { server, log } = await start({ log: new ExchangeLog({ maxEntries: 2 }) });
    for (const id of ['rev_1', 'rev_2', 'rev_3']) log.add(exchange(id));
    const gone = await sendRaw(`${server.url}/api/exchanges/1`, { method: 'GET', headers: [['X-Whcli-Token', server.token]] });
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.body.toString()).error).toBe('exchange 1 is not kept (the inspector keeps the last 2)');
    expect((await sendRaw(`${server.url}/api/exchanges/3`, { method: 'GET', headers: [['X-Whcli-Token', server.token]] })).status).toBe(200);
  });

  it('reports refusals, then stops reporting', async () => {
    const refused: string[] = [];
    const { server } = await start({ onRefused: (m) => refused.push(m) });
    for (let i = 0; i < 25; i += 1) await sendRaw(`${server.url}/api/exchanges/1/replay`, { body: '{}' });
    expect(refused).toHaveLength(21);
    expect(refused[0]).toBe('inspector: refused POST /api/exchanges/1/replay: origin "" may not act on this inspector');
    expect(refused[20]).toBe('inspector: more requests refused; not reporting further ones');
  });

  it('closes promptly with a live stream open, ending the stream', async () => {
    const { server } = await start({ keepAliveMs: 50 });
    const req = request(`${server.url}/api/stream?token=${server.token}`, { agent: false });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    let text = '';
    res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const ended = once(res, 'end');
    // A keep-alive comment arrives on an idle stream.
    await new Promise<void>((resolve) => res.on('data', () => text.includes(': keep-alive') && resolve()));
    const started = Date.now();
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await ended;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(text).toMatch(/^retry: 1000\n\nevent: snapshot\ndata: /);
  });
});
