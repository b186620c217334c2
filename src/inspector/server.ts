import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exchangeDetail, exchangeSummary } from './exchange-json.js';
import type { Exchange, ExchangeLog, NewExchange } from './exchange-log.js';
import { refuseAction, refuseHost, newSessionToken, tokenMatches, TOKEN_HEADER } from './security.js';
import { loadAssets, type Asset } from './static-files.js';

/** What the page shows in its header. Nothing secret: the signing secret stays in the listener. */
export interface InspectorSession {
  /** The webhook URL providers send to. */
  url: string;
  forward: string;
  provider?: string;
  resign: boolean;
}

export interface InspectorOptions {
  /** 0 picks a free port. */
  port: number;
  /** When `port` is taken, use a free one instead of failing (the default 4040 may be another tool's). */
  fallback?: boolean;
  log: ExchangeLog;
  session: InspectorSession;
  /** Sends an exchange's event again, with `body` instead of the original bytes when given. */
  replay: (exchange: Exchange, body?: Buffer) => Promise<NewExchange>;
  /** Called with each replay once it is in the log. */
  onReplay?: (exchange: Exchange) => void;
  /** Told about refused requests: another page or program trying the inspector's actions. */
  onRefused?: (message: string) => void;
  /** Another folder of page files (tests). */
  assetsDir?: string;
  /** How often idle live streams get a comment, so proxies and browsers keep them open. */
  keepAliveMs?: number;
}

export interface InspectorServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The requested port was taken and another was picked. */
  portTaken: boolean;
  /** The per-session token the page is served with. */
  token: string;
  /** Updates the header (the webhook URL changes when a relay forgot the channel). */
  setSession(session: InspectorSession): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** An edited body as JSON text, with room over the relay's default 5 MB. */
const MAX_ACTION_BYTES = 6 * 1024 * 1024;
const EXCHANGE_PATH = /^\/api\/exchanges\/(\d{1,12})$/;
const REPLAY_PATH = /^\/api\/exchanges\/(\d{1,12})\/replay$/;
const ASSET_PATH = /^\/assets\/([a-z0-9-]+\.(?:js|css|svg))$/;
/** Refusals reported per session: enough to notice a probing page, not enough to flood a terminal. */
const MAX_REFUSALS_REPORTED = 20;

// The page loads its own scripts and styles and talks to its own origin only; nothing may frame it.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

class TooLargeError extends Error {}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ACTION_BYTES) throw new TooLargeError();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : JSON.parse(text);
}

async function listenOn(server: Server, port: number): Promise<void> {
  server.listen(port, HOST);
  // Rejects with the 'error' (EADDRINUSE) instead.
  await once(server, 'listening');
}

/** Serves the inspector page, its live feed and its actions on 127.0.0.1 only. */
export async function startInspector(options: InspectorOptions): Promise<InspectorServer> {
  const { log } = options;
  const assets = await loadAssets(options.assetsDir);
  const token = newSessionToken();
  let session = options.session;
  let port = 0;
  const streams = new Set<ServerResponse>();
  let refusals = 0;

  /** Answers 403 and reports it. */
  function refuse(req: IncomingMessage, res: ServerResponse, reason: string): void {
    req.resume();
    json(res, 403, { error: reason });
    refusals += 1;
    if (!options.onRefused || refusals > MAX_REFUSALS_REPORTED + 1) return;
    const from = req.headers.origin ? ` from ${req.headers.origin}` : '';
    options.onRefused(
      refusals > MAX_REFUSALS_REPORTED
        ? 'inspector: more requests refused; not reporting further ones'
        : `inspector: refused ${req.method} ${(req.url ?? '/').split('?')[0]}${from}: ${reason}`,
    );
  }

  // The token goes into the page itself: only a page read from this origin can send it back.
  const template = assets.get('index.html')!;
  const index: Asset = { type: template.type, body: Buffer.from(template.body.toString('utf8').replace('{{TOKEN}}', token)) };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: (error as Error).message });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostRefusal = refuseHost(req.headers, port);
    if (hostRefusal) return refuse(req, res, hostRefusal);
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'POST') {
      const replay = REPLAY_PATH.exec(path);
      if (!replay) {
        req.resume();
        return json(res, 404, { error: 'not found' });
      }
      return replayAction(req, res, replay[1]!);
    }
    // No CORS, ever: a preflight is refused, so no other origin can send the token header.
    if (method === 'OPTIONS') return refuse(req, res, 'no cross-origin requests (CORS) here');
    req.resume();
    if (method !== 'GET' && method !== 'HEAD') return json(res, 405, { error: `${method} is not allowed here` });
    if (path === '/' || path === '/index.html') return send(res, 200, index.type, index.body);
    const asset = ASSET_PATH.exec(path);
    if (asset && assets.has(asset[1]!)) {
      const { type, body } = assets.get(asset[1]!)!;
      return send(res, 200, type, body);
    }
    if (path === '/favicon.ico') return send(res, 200, assets.get('favicon.svg')!.type, assets.get('favicon.svg')!.body);
    if (path.startsWith('/api/')) {
      // EventSource cannot set headers: the stream takes the token in its query.
      const given = path === '/api/stream' ? (url.searchParams.get('token') ?? undefined) : headerValue(req, TOKEN_HEADER);
      if (!tokenMatches(given, token)) return refuse(req, res, 'missing or wrong session token');
      if (path === '/api/stream') return stream(req, res);
      if (path === '/api/session') return json(res, 200, sessionJson());
      const one = EXCHANGE_PATH.exec(path);
      if (one) {
        const exchange = log.get(one[1]!);
        if (!exchange) return json(res, 404, { error: `exchange ${one[1]} is not kept (the inspector keeps the last ${log.maxEntries})` });
        return json(res, 200, exchangeDetail(exchange));
      }
    }
    json(res, 404, { error: 'not found' });
  }

  function headerValue(req: IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  }

  function sessionJson() {
    return { ...session, capacity: log.maxEntries };
  }

  async function replayAction(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const refusal = refuseAction(req.headers, port, token);
    if (refusal) return refuse(req, res, refusal);
    let input: unknown;
    try {
      input = await readJson(req);
    } catch (error) {
      return error instanceof TooLargeError
        ? json(res, 413, { error: `an action body is at most ${MAX_ACTION_BYTES} bytes` })
        : json(res, 400, { error: 'the body is not JSON' });
    }
    const edited = (input as { body?: unknown } | null)?.body;
    if (edited !== undefined && typeof edited !== 'string') return json(res, 400, { error: '"body" must be a string' });
    const original = log.get(id);
    if (!original) return json(res, 404, { error: `exchange ${id} is not kept (the inspector keeps the last ${log.maxEntries})` });
    const replayed = log.add(await options.replay(original, edited === undefined ? undefined : Buffer.from(edited, 'utf8')));
    options.onReplay?.(replayed);
    json(res, 201, exchangeSummary(replayed));
  }

  function stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...PAGE_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    // A fresh snapshot on every (re)connection: the page never misses a row between load and stream.
    res.write('retry: 1000\n\n');
    write('snapshot', { session: sessionJson(), exchanges: log.list().map(exchangeSummary) });
    const unsubscribe = log.subscribe((exchange) => write('exchange', exchangeSummary(exchange)));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
    keepAlive.unref();
    streams.add(res);
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    });
  }

  try {
    await listenOn(server, options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.fallback || options.port === 0) throw error;
    await listenOn(server, 0);
  }
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}`,
    port,
    portTaken: port !== options.port && options.port !== 0,
    token,
    setSession(next) {
      session = next;
      for (const res of streams) res.write(`event: session\ndata: ${JSON.stringify(sessionJson())}\n\n`);
    },
    async close() {
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
