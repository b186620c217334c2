import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test handler sees: the raw body bytes and node's lower-cased headers. */
export interface ReceivedWebhook {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Header names as sent, with their values, in order. */
  rawHeaders: string[];
  body: Buffer;
}

export interface Reply {
  status: number;
  body?: string;
  contentType?: string;
}

export type WebhookHandler = (request: ReceivedWebhook) => Reply | Promise<Reply>;

export interface TestServer {
  /** http://127.0.0.1:<port>/webhooks */
  url: string;
  port: number;
  server: Server;
  /** Every request received, in arrival order. */
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0, answering with `handler`. */
export async function startWebhookServer(handler: WebhookHandler): Promise<TestServer> {
  const received: ReceivedWebhook[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
    received.push(request);
    let reply: Reply;
    try {
      reply = await handler(request);
    } catch (error) {
      reply = { status: 500, body: `handler threw: ${(error as Error).message}` };
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
    res.end(reply.body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    port,
    server,
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
