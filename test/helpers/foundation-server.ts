/**
 * A real node:http handler on 127.0.0.1:0 that records every request's raw bytes and headers.
 * Tests answer with `respond` and wait on `nextRequest()` / the 'request' event, never on sleeps.
 */
import { once, EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  receivedAtMs: number;
}

export type Responder = (req: ReceivedRequest, index: number) => { status: number; body?: string };

export interface RecordingServer {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Resolves with the n-th request (0-based), waiting for it if it has not arrived yet. */
  request(index: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/** Starts a recording handler; answers 200 "ok" unless `respond` says otherwise. */
export async function startRecordingServer(respond: Responder = () => ({ status: 200, body: 'ok' })): Promise<RecordingServer> {
  const requests: ReceivedRequest[] = [];
  const arrivals = new EventEmitter();
  const server: Server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        receivedAtMs: Date.now(),
      };
      const index = requests.push(received) - 1;
      const answer = respond(received, index);
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
      arrivals.emit('request', index);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    async request(index) {
      while (requests.length <= index) await once(arrivals, 'request');
      return requests[index]!;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port that was just listening and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A handler that accepts requests and never answers, for timeouts. */
export async function startHungServer(): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const server = createServer(() => {
    // Never respond.
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
