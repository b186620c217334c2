/**
 * A real node:http webhook handler on 127.0.0.1 that records every request exactly as it arrived
 * (raw header pairs, raw body bytes), for the tunnel tests. Tracked so `closeAllHandlers()` in
 * `afterEach` stops what a test started.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query as sent on the request line. */
  url: string;
  /** Header pairs in arrival order, original case, repeated headers repeated. */
  rawHeaders: [string, string][];
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface HandlerReply {
  status: number;
  body?: string;
  /** Never answer (the connection is closed when the handler closes). */
  hang?: boolean;
  headers?: Record<string, string>;
}

export interface TestHandler {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Resolves with all requests once at least `count` arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

const open = new Set<TestHandler>();

/** Values of a header in arrival order (case-insensitive name). */
export function headerValues(request: ReceivedRequest, name: string): string[] {
  const lower = name.toLowerCase();
  return request.rawHeaders.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
}

/** Starts a handler; `reply` picks each response (default: 200 "ok"). `port` 0 picks a free one. */
export async function startHandler(
  reply: (request: ReceivedRequest) => HandlerReply = () => ({ status: 200, body: 'ok' }),
  port = 0,
): Promise<TestHandler> {
  const requests: ReceivedRequest[] = [];
  const arrivals = new EventEmitter();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawHeaders: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const request: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', rawHeaders, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      arrivals.emit('request');
      const answer = reply(request);
      if (answer.hang) return;
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actualPort = (server.address() as AddressInfo).port;

  const handler: TestHandler = {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    requests,
    waitForRequests(count, timeoutMs = 60_000) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const onRequest = () => {
          if (requests.length < count) return;
          clearTimeout(timer);
          arrivals.off('request', onRequest);
          resolve(requests);
        };
        const timer = setTimeout(() => {
          arrivals.off('request', onRequest);
          reject(new Error(`handler got ${requests.length} of ${count} requests within ${timeoutMs}ms`));
        }, timeoutMs);
        arrivals.on('request', onRequest);
      });
    },
    async close() {
      open.delete(handler);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.add(handler);
  return handler;
}

const otherServers = new Set<Server>();

/** Starts any server (https, a proxy, a hand-written handler) on port 0, closed by `closeAllHandlers`. */
export async function listenTracked(server: Server, host = '127.0.0.1'): Promise<{ port: number; url: string }> {
  otherServers.add(server);
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** Closes every handler still open. For `afterEach`. */
export async function closeAllHandlers(): Promise<void> {
  for (const server of otherServers) {
    server.closeAllConnections();
    server.close();
  }
  otherServers.clear();
  await Promise.all([...open].map((h) => h.close()));
}
