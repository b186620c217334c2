/**
 * A relay written by hand from docs/protocol.md, independently of src/, that sends whatever frames a
 * test gives it: what a broken or hostile relay can do to `whcli listen`. It creates channels on
 * `POST /api/channels`, accepts the listener's WebSocket on `/ws/<id>` with the channel's token,
 * answers `hello` with `ready`, and records every ack. Tracked so `closeAllFakeRelays()` in
 * `afterEach` stops what a test started.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface FakeChannel {
  id: string;
  token: string;
  url: string;
}

export interface ReceivedAck {
  seq: number;
  report: { ok: boolean; skipped?: string; status?: number; error?: { kind: string; message: string } };
}

/** [u32 big-endian n][n bytes of header JSON][body]; with `sized`, the header carries bodyLength (a batch member). */
export function eventFrame(header: Record<string, unknown>, body: Buffer | string = '', sized = false): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const json = Buffer.from(JSON.stringify(sized ? { ...header, bodyLength: bytes.length } : header));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, bytes]);
}

/** The header of a well-formed event, with any field replaced. */
export function eventHeader(seq: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'event',
    seq,
    id: `rev_fake${seq}`,
    receivedAt: Date.now(),
    method: 'POST',
    path: '',
    query: '',
    headers: [['Content-Type', 'application/json']],
    ...fields,
  };
}

/** One listener socket the fake relay accepted. */
export class FakeConnection {
  hello: Record<string, unknown> | undefined;
  readonly acks: ReceivedAck[] = [];
  closeInfo: { code: number; reason: string } | undefined;
  private readonly changes = new EventEmitter();

  constructor(
    readonly ws: WebSocket,
    channel: FakeChannel,
    resumeFrom: (hello: Record<string, unknown>) => number,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (message.type === 'hello') {
        this.hello = message;
        ws.send(JSON.stringify({ type: 'ready', v: 1, channel: channel.id, url: channel.url, resumeFrom: resumeFrom(message) }));
      } else if (message.type === 'ack') this.acks.push(message as unknown as ReceivedAck);
      else if (message.type === 'acks') this.acks.push(...(message.acks as ReceivedAck[]));
      this.changes.emit('change');
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.changes.emit('change');
    });
    ws.on('error', () => {});
  }

  /** Resolves once `check` holds, re-checked on every message and on close; rejects after `timeoutMs`. */
  waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.changes.off('change', onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.changes.off('change', onChange);
        reject(new Error(`timed out waiting for ${what}; acks ${JSON.stringify(this.acks)}, close ${JSON.stringify(this.closeInfo)}`));
      }, timeoutMs);
      this.changes.on('change', onChange);
    });
  }

  waitForHello(): Promise<void> {
    return this.waitFor(() => this.hello !== undefined, 'the hello');
  }

  waitForClose(): Promise<{ code: number; reason: string }> {
    return this.waitFor(() => this.closeInfo !== undefined, 'the listener to close the socket').then(() => this.closeInfo!);
  }

  ackFor(seq: number): ReceivedAck | undefined {
    return this.acks.find((ack) => ack.seq === seq);
  }

  send(data: Buffer | Record<string, unknown>): void {
    if (Buffer.isBuffer(data)) this.ws.send(data, { binary: true });
    else this.ws.send(JSON.stringify(data));
  }
}

export interface FakeRelay {
  url: string;
  /** Channels created so far, in order. */
  channels: FakeChannel[];
  connections: FakeConnection[];
  /** Answer the upgrade of these channel ids with 404, as a relay that forgot them does. */
  forgotten: Set<string>;
  /** Resolves with the n-th accepted socket (1-based) once its hello arrived. */
  connection(n: number, timeoutMs?: number): Promise<FakeConnection>;
  close(): Promise<void>;
}

const open = new Set<FakeRelay>();

/** Starts a fake relay on 127.0.0.1; `resumeFrom` picks the ready message's resume point (default: the hello's, or 0). */
export async function startFakeRelay(options: { resumeFrom?: (hello: Record<string, unknown>) => number } = {}): Promise<FakeRelay> {
  const channels: FakeChannel[] = [];
  const connections: FakeConnection[] = [];
  const forgotten = new Set<string>();
  const accepted = new EventEmitter();
  const resumeFrom = options.resumeFrom ?? ((hello) => (typeof hello.resume === 'number' ? hello.resume : 0));
  let base = '';
  const server: Server = createServer((req, res) => {
    req.resume();
    if (req.method === 'POST' && req.url === '/api/channels') {
      const id = `ch_fake${channels.length + 1}`;
      const channel = { id, token: `wht_${randomBytes(16).toString('hex')}`, url: `${base}/c/${id}` };
      channels.push(channel);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(channel));
    } else if (req.method === 'GET' && req.url === '/healthz') {
      // What `whcli listen` asks before it creates a channel: is this a relay at all?
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const id = /^\/ws\/([^/?]+)/.exec(req.url ?? '')?.[1];
    const channel = channels.find((c) => c.id === id);
    if (!channel || forgotten.has(channel.id) || req.headers.authorization !== `Bearer ${channel.token}`) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.push(new FakeConnection(ws, channel, resumeFrom));
      accepted.emit('accepted');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const relay: FakeRelay = {
    url: base,
    channels,
    connections,
    forgotten,
    async connection(n, timeoutMs = 10_000) {
      if (connections.length < n) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out waiting for listener connection #${n} (${connections.length} so far)`)), timeoutMs);
          const onAccepted = () => {
            if (connections.length < n) return;
            clearTimeout(timer);
            accepted.off('accepted', onAccepted);
            resolve();
          };
          accepted.on('accepted', onAccepted);
        });
      }
      const connection = connections[n - 1]!;
      await connection.waitForHello();
      return connection;
    },
    async close() {
      open.delete(relay);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.add(relay);
  return relay;
}

/** Stops every fake relay still running. For `afterEach`. */
export async function closeAllFakeRelays(): Promise<void> {
  await Promise.all([...open].map((relay) => relay.close()));
}
