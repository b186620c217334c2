import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ChannelHub, DEFAULT_WINDOW, ListenerSession, type ListenerLink } from './hub.js';
import { ChannelMembers } from './channel-members.js';
import { ByteBudget } from './byte-budget.js';
import { BodyTooLargeError, headerPairs, pathLeavesBase, readBody, RelayBusyError } from './ingress.js';
import { RelayMetrics } from './metrics.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';
import { encodeEventBatch, MAX_REPORT_BODY, RESPOND_HEADER, PROTOCOL_VERSION, ProtocolError, parseClientMessage, type DeliveryReport, type RelayEvent, type ServerMessage } from './protocol.js';
import { ChannelFullError, StoreFullError, type RelayStore } from './store.js';
import { MemoryStore } from './stores/memory-store.js';
import { ChannelAccess, type KeyMode } from './channel-access.js';
import { hashToken, newChannelId, newEventId, newToken, tokenMatches } from './tokens.js';

export interface RelayOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Base URL providers see, e.g. https://hooks.example.com; defaults to the listening address. */
  publicUrl?: string;
  maxBodyBytes?: number;
  store?: RelayStore;
  /** "ok": answer 200 at once; "handler": wait for the listener's result. */
  respondWith?: 'ok' | 'handler';
  respondTimeoutMs?: number;
  /** Interval of keep-alive pings to listeners. */
  pingIntervalMs?: number;
  /** How long a listener has to say hello after connecting. */
  helloTimeoutMs?: number;
  /** Ingress requests per channel; none when omitted (the relay embedded in `whcli listen`). */
  rateLimit?: RateLimit;
  /** WebSocket listeners one channel may have at once; 0 for no cap. Default 10. */
  maxListenersPerChannel?: number;
  /**
   * Host names (no port) a request's Host header may name; any other is refused with 421. Omitted:
   * any Host. The relay embedded in `whcli listen` allows only loopback names (and a public URL's
   * host), so a DNS-rebinding page cannot reach it.
   */
  allowedHosts?: readonly string[];
  /** Bytes of request bodies the relay may be receiving at once, over all requests; past it: 503. Default 256 MiB. */
  maxInflightBytes?: number;
  /** Channels with no event, acknowledgement or listener for this long are deleted; 0 (default): never. */
  channelIdleMs?: number;
  /** Channel creations per client address (POST /api/channels); none when omitted. */
  channelCreateLimit?: RateLimit;
  /** Unsent bytes a listener's WebSocket may hold before the relay stops sending to it. Default 8 MiB. */
  maxListenerBufferBytes?: number;
  /** On close, how long requests in progress may take to finish before their connections are cut. Default 5 s. */
  shutdownGraceMs?: number;
  /**
   * How often channels with listeners are checked to still exist in the store (a Redis restarted
   * empty forgets them); their listeners are then closed with 4404, and reconnecting gets 404, so
   * `whcli listen` makes a new channel. Default 30 s.
   */
  channelCheckMs?: number;
  /** When channel creation needs an access key (default auto: once the store holds one). */
  keyMode?: KeyMode;
  /** Channel creations per access key; none when omitted. */
  keyCreateLimit?: RateLimit;
  /** Channels one access key may own; 0 or omitted for no cap. */
  maxChannelsPerKey?: number;
  /** How often listeners are checked for a revoked key (closed with 4401). Default 5 s. */
  keyCheckMs?: number;
  /** PEM certificate chain and key: the relay serves HTTPS and WSS itself. */
  tls?: { cert: Buffer; key: Buffer };
  /** Called once per answered request: no bodies, no query strings, no tokens, channel ids cut short. */
  requestLog?: (entry: RequestLogEntry) => void;
  log?: (line: string) => void;
}

export interface RequestLogEntry {
  method: string;
  /** The route: /c/<channel>, /ws/<channel>, /api/channels, /healthz, ... */
  path: string;
  /** The channel's id cut to its first characters: enough to tell channels apart, too little to post to one. */
  channel?: string;
  status: number;
  /** The request body's declared size. */
  bytes: number;
  ms: number;
}

/** A channel id shortened for logs: a channel URL is a capability, a log line must not hand it out. */
export function channelForLog(id: string): string {
  return `${id.slice(0, 7)}…`;
}

/** A request as a log entry, once answered. */
function requestEntry(req: IncomingMessage, status: number, startedAt: number): RequestLogEntry {
  const pathname = (req.url ?? '/').split('?')[0]!;
  const match = /^\/(c|ws)\/([A-Za-z0-9_-]{1,64})/.exec(pathname);
  return {
    method: req.method ?? '?',
    path: match ? `/${match[1]}/<channel>` : pathname.length > 64 ? `${pathname.slice(0, 64)}…` : pathname,
    ...(match ? { channel: channelForLog(match[2]!) } : {}),
    status,
    bytes: Number(req.headers['content-length'] ?? 0) || 0,
    ms: Date.now() - startedAt,
  };
}

export interface RelayServer {
  /** Base URL (public when given). */
  url: string;
  /** Where it actually listens. */
  address: { host: string; port: number };
  store: RelayStore;
  metrics: RelayMetrics;
  /** Creates a channel, returning its credentials. */
  createChannel(): Promise<{ id: string; token: string; url: string }>;
  /** Registers a channel with a known id and token (the embedded relay keeps a listener's URL stable). */
  registerChannel(id: string, token: string): Promise<void>;
  /** Attaches a listener in this process directly to a channel: the same hub, no socket in between. */
  attachLocal(channel: string, options: LocalAttachOptions): Promise<LocalSession>;
  /** Serves a renewed certificate to new connections (throws, keeping the old one, when it is invalid). */
  reloadTls(tls: { cert: Buffer; key: Buffer }): void;
  close(): Promise<void>;
}

export interface LocalAttachOptions {
  resume?: number;
  window: number;
  deliver: (events: readonly RelayEvent[]) => void;
}

export interface LocalSession {
  resumeFrom: number;
  ack(seq: number, report: DeliveryReport): void;
  detach(): void;
}

export const DEFAULT_MAX_LISTENERS = 10;

/** The host names every relay on loopback answers to. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** More request headers than this is refused with 431 (Node would silently drop those past its cap). */
export const MAX_REQUEST_HEADERS = 1000;

/** WebSocket close code for a listener whose channel the store no longer knows. */
export const CLOSE_CHANNEL_GONE = 4404;
/** WebSocket close code for a listener whose channel its owner deleted (`whcli channels rm`): not to be made again. */
export const CLOSE_CHANNEL_DELETED = 4410;
/** WebSocket close code for a listener whose channel's access key was revoked. */
export const CLOSE_KEY_REVOKED = 4401;
/** The largest body POST /api/channels reads: {"name": "..."}. */
const MAX_CREATE_BODY = 4096;

export const DEFAULT_MAX_INFLIGHT_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_LISTENER_BUFFER = 8 * 1024 * 1024;
/** How long the store may take to close at shutdown before the relay stops waiting for it. */
const STORE_CLOSE_TIMEOUT_MS = 5_000;

/** The largest text message a listener may send; acks are small, so more is a protocol error. */
export const MAX_CLIENT_MESSAGE = 256 * 1024;

const CHANNEL_PATH = /^\/c\/([A-Za-z0-9_-]{1,64})(\/[^?]*)?$/;
const CHANNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CHANNEL_DELETED_REASON = 'channel deleted by its owner (whcli channels rm)';
const WS_PATH = /^\/ws\/([A-Za-z0-9_-]{1,64})$/;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Refuses an upgrade with a real HTTP status, as ws clients expect; `message` says why in the body. */
function refuseUpgrade(socket: Duplex, status: number, reason: string, message = reason, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: message });
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * A close reason within the WebSocket limit of 123 bytes, cut on a character boundary: ws throws on
 * a longer one, and reasons quote what the listener sent (found by test/property/listener-protocol.test.ts).
 */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let out = '';
  for (const char of text) {
    if (Buffer.byteLength(out) + Buffer.byteLength(char) > 120) break;
    out += char;
  }
  return `${out}…`; // the ellipsis is 3 bytes: 123 at most
}

/** What every listener socket of one relay shares. */
interface SocketListenerContext {
  hub: ChannelHub;
  /** Unsent bytes a listener's socket may hold before sending to it stops. */
  maxBuffer: number;
  log: (line: string) => void;
}

/**
 * One listener's WebSocket from the completed handshake until it closes, and its session's link. Plain
 * fields and shared methods, and the socket's handlers are shared functions that find this by its
 * socket: an idle relay holds thousands, and closures (or a cleared timer) per socket cost more.
 */
class SocketListener implements ListenerLink {
  /** Heard from (a message or a pong) since the last heartbeat. */
  heard = true;
  helloSeen = false;
  /** Until hello; dropped then, since a cleared timer still holds memory while referenced. */
  helloTimer: NodeJS.Timeout | undefined;
  session: ListenerSession | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly channel: string,
    private readonly context: SocketListenerContext,
  ) {}

  deliver(events: readonly RelayEvent[]): void {
    const { ws, context } = this;
    // The callback runs once ws has handed the data to the socket: then the link may have drained
    // below its bound, and what was held back can go.
    ws.send(encodeEventBatch(events), { binary: true }, () => {
      if (ws.bufferedAmount <= context.maxBuffer && this.session) context.hub.resume(this.session);
    });
  }

  abort(reason: string): void {
    this.context.log(reason);
    this.ws.close(1011, closeReason(reason));
  }

  congested(): boolean {
    return this.ws.bufferedAmount > this.context.maxBuffer;
  }
}

/** Ends a socket on error; shared by every socket rather than a closure each. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** The host name of a Host header, lowercased, without its port ("[::1]:8787" -> "[::1]"). */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // A sender sends the same Host on every request: parsed once, not once per event.
  if (header === lastHost.header) return lastHost.name;
  let name: string | undefined;
  try {
    name = new URL(`http://${header}`).hostname;
  } catch {
    name = undefined;
  }
  lastHost = { header, name };
  return name;
}
let lastHost: { header?: string; name?: string } = {};

/** Why a request must be refused before anything else, or undefined. */
function refusal(req: IncomingMessage, allowedHosts: ReadonlySet<string> | undefined): { status: number; reason: string; message: string } | undefined {
  if (req.rawHeaders.length / 2 > MAX_REQUEST_HEADERS) {
    return { status: 431, reason: 'Request Header Fields Too Large', message: `more than ${MAX_REQUEST_HEADERS} headers` };
  }
  if (allowedHosts && !allowedHosts.has(hostName(req.headers.host) ?? '')) {
    return { status: 421, reason: 'Misdirected Request', message: `host "${req.headers.host ?? ''}" is not served here` };
  }
  return undefined;
}

/** Resolves after `ms` (unref'd, so it never holds the process open). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** Starts the relay: channel ingress, the listener WebSocket, health and metrics, on one port. */
export async function startRelay(options: RelayOptions = {}): Promise<RelayServer> {
  const store: RelayStore = options.store ?? new MemoryStore();
  const metrics = new RelayMetrics();
  const hub = new ChannelHub(store, metrics);
  // Events stored by another relay on the same store reach this relay's listeners at once.
  const stopWatching = store.onAppend?.((channel) => hub.notify(channel));
  const maxBody = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const respondTimeoutMs = options.respondTimeoutMs ?? 30_000;
  const log = options.log ?? (() => {});
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  const maxListeners = options.maxListenersPerChannel ?? DEFAULT_MAX_LISTENERS;
  /** Open listener sockets per channel, counted from the accepted upgrade until the socket closes. */
  const socketsPerChannel = new Map<string, number>();
  /** The channel of each socket counted there, until it closes. */
  const channelOfSocket = new Map<Duplex, string>();
  /** Listener WebSockets per channel, from the completed handshake until they close. */
  const listenersOf = new ChannelMembers<WebSocket>();
  /** Every listener WebSocket's state, from the completed handshake until it closes. */
  const listeners = new Map<WebSocket, SocketListener>();
  // Messages up to MAX_CLIENT_MESSAGE are checked here, so the listener is told why it is closed;
  // ws itself refuses (1009, no reason) anything past this, before buffering it. Sockets are
  // tracked in `listeners`, so ws need not keep a set (and a close listener per socket) of its own.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_CLIENT_MESSAGE, clientTracking: false });
  const allowedHosts = options.allowedHosts ? new Set(options.allowedHosts.map((h) => h.toLowerCase())) : undefined;
  const inflight = new ByteBudget(options.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES);
  const creations = options.channelCreateLimit ? new RateLimiter(options.channelCreateLimit) : undefined;
  const keyCreations = options.keyCreateLimit ? new RateLimiter(options.keyCreateLimit) : undefined;
  const access = new ChannelAccess(store, options.keyMode ?? 'auto');
  /** The access key owning each listener's channel, for closing them when it is revoked. */
  const ownerOf = new Map<WebSocket, string>();
  const listenerContext: SocketListenerContext = { hub, maxBuffer: options.maxListenerBufferBytes ?? DEFAULT_MAX_LISTENER_BUFFER, log };
  /** Requests being answered: a shutdown waits (a bounded time) for these before cutting connections. */
  let active = 0;
  let closing = false;
  let baseUrl = '';

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    active += 1;
    const startedAt = Date.now();
    res.once('close', () => {
      active -= 1;
      options.requestLog?.(requestEntry(req, res.headersSent ? res.statusCode : 0, startedAt));
    });
    // Errors on a request or response whose peer vanished: nothing to answer, nothing to crash on.
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res).catch((error) => {
      log(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
  const tlsServer = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : undefined;
  const server: Server = tlsServer ?? createServer(onRequest);
  server.keepAliveTimeout = 65_000;
  // One more than the limit is read, so a request past it is seen and refused rather than cut short.
  server.maxHeadersCount = MAX_REQUEST_HEADERS + 1;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refusal(req, allowedHosts);
    if (refused) {
      req.resume();
      return json(res, refused.status, { error: refused.message }, { connection: 'close' });
    }
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const channelMatch = CHANNEL_PATH.exec(pathname);
    if (channelMatch) {
      const suffix = channelMatch[2] ?? '';
      // Resolved by a URL parser, the path would climb out of the listener's --forward path.
      if (pathLeavesBase(suffix)) {
        req.resume();
        return json(res, 400, { error: 'path segments "." and ".." (in any spelling, "\\" as "/") are not allowed' });
      }
      return ingress(req, res, channelMatch[1]!, suffix, query);
    }
    if (pathname === '/api/channels' && req.method === 'POST') {
      const retryAfter = creations?.take(req.socket.remoteAddress ?? '') ?? 0;
      if (retryAfter > 0) {
        metrics.channelsRefused += 1;
        const { perSecond } = creations!.limit;
        return json(res, 429, { error: `over the limit of ${perSecond} channel creations per second from one address`, retryAfter }, { 'retry-after': String(retryAfter) });
      }
      let request: { name?: unknown };
      try {
        const body = await readBody(req, MAX_CREATE_BODY);
        request = body.length ? (JSON.parse(body.toString('utf8')) as { name?: unknown }) : {};
        if (!request || typeof request !== 'object') throw new Error('not an object');
      } catch {
        return json(res, 400, { error: `the body must be empty or a JSON object like {"name": "stripe"} (at most ${MAX_CREATE_BODY} bytes)` });
      }
      const caller = await access.caller(bearer(req));
      if ('status' in caller) {
        metrics.rejected.unauthorized += 1;
        return json(res, caller.status, { error: caller.message });
      }
      if (caller.key && keyCreations) {
        const wait = keyCreations.take(caller.key.id);
        if (wait > 0) {
          metrics.channelsRefused += 1;
          return json(res, 429, { error: `over the limit of ${keyCreations.limit.perSecond} channel creations per second for one access key`, retryAfter: wait }, { 'retry-after': String(wait) });
        }
      }
      const name = request.name === undefined ? undefined : String(request.name);
      const planned = await access.create(caller.key, name);
      if ('status' in planned) return json(res, planned.status, { error: planned.message });
      const { record, channel } = planned;
      const known = name !== undefined ? await store.getChannel(record.id) : undefined;
      if (!known && caller.key && options.maxChannelsPerKey && store.countChannels) {
        const owned = await store.countChannels(caller.key.id);
        if (owned >= options.maxChannelsPerKey) {
          metrics.channelsRefused += 1;
          return json(res, 403, { error: `access key "${caller.key.name}" owns its maximum of ${options.maxChannelsPerKey} channels: remove one with \`whcli channels rm\`` });
        }
      }
      try {
        if (!known) await store.createChannel(record);
        return json(res, known ? 200 : 201, { ...channel, url: `${baseUrl}/c/${channel.id}` });
      } catch (error) {
        if (!(error instanceof StoreFullError)) throw error;
        metrics.channelsRefused += 1;
        return json(res, 503, { error: error.message }, { 'retry-after': '60' });
      }
    }
    if (pathname === '/api/channels' && req.method === 'GET') {
      req.resume();
      const caller = await access.caller(bearer(req));
      if ('status' in caller || !caller.key) {
        metrics.rejected.unauthorized += 1;
        return json(res, 401, { error: 'status' in caller ? caller.message : 'listing channels needs an access key: pass --relay-key or set WHCLI_RELAY_KEY' });
      }
      const owned = (await store.listChannels?.(caller.key.id)) ?? [];
      return json(res, 200, {
        key: caller.key.name,
        channels: owned.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}), url: `${baseUrl}/c/${c.id}`, createdAt: new Date(c.createdAt).toISOString() })),
      });
    }
    const deleteMatch = pathname.startsWith('/api/channels/') && req.method === 'DELETE' ? CHANNEL_ID.exec(pathname.slice('/api/channels/'.length)) : null;
    if (deleteMatch) {
      req.resume();
      const caller = await access.caller(bearer(req));
      if ('status' in caller || !caller.key) {
        metrics.rejected.unauthorized += 1;
        return json(res, 401, { error: 'status' in caller ? caller.message : 'deleting a channel needs the access key that owns it: pass --relay-key or set WHCLI_RELAY_KEY' });
      }
      const id = deleteMatch[0];
      const record = await store.getChannel(id);
      // Another key's channel answers as an unknown one: a key learns nothing about channels it does not own.
      if (!record || record.owner !== caller.key.id || !store.deleteChannel) return json(res, 404, { error: `no channel ${id} owned by key "${caller.key.name}"` });
      await store.deleteChannel(id);
      metrics.channelsDeleted += 1;
      const count = listenersOf.count(id);
      if (count > 0) {
        log(`channel ${id} deleted by key "${caller.key.name}": closing its ${count} listener(s)`);
        for (const ws of listenersOf.members(id)) ws.close(CLOSE_CHANNEL_DELETED, CHANNEL_DELETED_REASON);
      }
      return json(res, 200, { deleted: { id, ...(record.name ? { name: record.name } : {}) } });
    }
    if (pathname === '/healthz') {
      try {
        await store.ping?.();
      } catch (error) {
        return json(res, 503, { ok: false, error: `store unavailable: ${(error as Error).message}` });
      }
      return json(res, 200, { ok: true });
    }
    if (pathname === '/metrics') {
      const stats = await store.stats();
      const text = metrics.render({
        pending: stats.pendingEvents,
        stored: stats.storedEvents,
        expired: stats.expired,
        channels: stats.channels,
        listeners: hub.listenerCount,
      });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      return void res.end(text);
    }
    req.resume();
    json(res, 404, { error: 'not found' });
  }

  async function ingress(req: IncomingMessage, res: ServerResponse, channel: string, path: string, query: string) {
    if (!(await store.getChannel(channel))) {
      metrics.rejected.unknownChannel += 1;
      req.resume();
      return json(res, 404, { error: 'unknown channel' });
    }
    const retryAfter = limiter?.take(channel) ?? 0;
    if (retryAfter > 0) {
      // Refused before the body is stored or buffered: it is read and dropped, and the connection
      // kept, so the sender reliably gets the 429 (closing early can turn it into a reset).
      metrics.rejected.rateLimited += 1;
      req.resume();
      const { perSecond } = limiter!.limit;
      return json(res, 429, { error: `channel over its rate limit of ${perSecond}/s`, retryAfter }, { 'retry-after': String(retryAfter) });
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBody, inflight);
    } catch (error) {
      if (error instanceof RelayBusyError) {
        metrics.rejected.relayFull += 1;
        return json(res, 503, { error: 'the relay is receiving as much as it may hold: retry later' }, { 'retry-after': '5', connection: 'close' });
      }
      if (!(error instanceof BodyTooLargeError)) throw error;
      metrics.rejected.tooLarge += 1;
      return json(res, 413, { error: `body larger than ${maxBody} bytes` }, { connection: 'close' });
    }
    // Held against the in-flight budget until the store has it (or refused it).
    const release = () => inflight.release(body.length);
    let event;
    try {
      event = await store.append({
        id: newEventId(),
        channel,
        receivedAt: Date.now(),
        method: req.method ?? 'POST',
        path,
        query,
        // The control header is the sender's request to the relay, not part of the event.
        headers: headerPairs(req).filter(([name]) => name.toLowerCase() !== RESPOND_HEADER),
        body,
      });
    } catch (error) {
      if (!(error instanceof ChannelFullError)) throw error;
      // The sender keeps the event and retries; nothing is silently dropped.
      if (error instanceof StoreFullError) metrics.rejected.relayFull += 1;
      else metrics.rejected.full += 1;
      return json(res, 503, { error: error.message }, { 'retry-after': '30' });
    } finally {
      release();
    }
    metrics.received += 1;
    const respondWithHandler = options.respondWith === 'handler' || req.headers[RESPOND_HEADER] === 'handler';
    const waiting = respondWithHandler ? hub.waitForReport(channel, event.seq, respondTimeoutMs) : undefined;
    hub.notify(channel);
    if (!waiting) return json(res, 200, { ok: true, id: event.id, seq: event.seq });
    const report = await waiting;
    if (!report) return json(res, 504, { error: 'no listener result in time', id: event.id, seq: event.seq });
    if (report.status === undefined) return json(res, 502, { error: report.error?.message ?? 'delivery failed', id: event.id });
    res.writeHead(report.status, { 'content-type': 'text/plain; charset=utf-8', 'x-whcli-event-id': event.id });
    res.end((report.body ?? '').slice(0, MAX_REPORT_BODY));
  }

  async function createChannel() {
    const id = newChannelId();
    const token = newToken();
    await store.createChannel({ id, tokenHash: hashToken(token), createdAt: Date.now() });
    return { id, token, url: `${baseUrl}/c/${id}` };
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over with no error listener: a reset while the upgrade is refused, or
    // while the store is asked about the channel, would be an uncaught ECONNRESET that ends the
    // process. This listener stays for the socket's whole life; ws adds its own once it owns it.
    socket.on('error', destroyOnError);
    void upgrade(req, socket, head).catch(() => socket.destroy());
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const refused = refusal(req, allowedHosts);
    if (refused) return refuseUpgrade(socket, refused.status, refused.reason, refused.message);
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable', 'the relay is shutting down', { 'Retry-After': '5' });
    const match = WS_PATH.exec((req.url ?? '').split('?')[0]!);
    if (!match) return refuseUpgrade(socket, 404, 'Not Found');
    const channel = await store.getChannel(match[1]!);
    if (!channel) return refuseUpgrade(socket, 404, 'Not Found');
    const denied = await access.mayListen(channel, bearer(req));
    if (denied) {
      metrics.rejected.unauthorized += 1;
      return refuseUpgrade(socket, denied.status, denied.status === 403 ? 'Forbidden' : 'Unauthorized', denied.message);
    }
    const token = bearer(req);
    if (!token || !tokenMatches(token, channel.tokenHash)) {
      metrics.rejected.unauthorized += 1;
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    // Counted from here (no await below), so upgrades racing each other cannot pass the cap together.
    const open = socketsPerChannel.get(channel.id) ?? 0;
    if (maxListeners > 0 && open >= maxListeners) {
      metrics.listenersRefused += 1;
      return refuseUpgrade(socket, 429, 'Too Many Requests', `channel already has its maximum of ${maxListeners} listeners`, { 'Retry-After': '30' });
    }
    // The store was asked above: the peer may have gone meanwhile, and ws must not get a dead socket.
    if (socket.destroyed || !socket.writable) return;
    socketsPerChannel.set(channel.id, open + 1);
    channelOfSocket.set(socket, channel.id);
    socket.on('close', onSocketClose);
    wss.handleUpgrade(req, socket, head, (ws) => {
      listenersOf.add(channel.id, ws);
      if (channel.owner) ownerOf.set(ws, channel.owner);
      onListener(ws, channel.id);
    });
  }

  function onSocketClose(this: Duplex) {
    const channel = channelOfSocket.get(this);
    if (channel === undefined) return;
    channelOfSocket.delete(this);
    const left = (socketsPerChannel.get(channel) ?? 1) - 1;
    if (left > 0) socketsPerChannel.set(channel, left);
    else socketsPerChannel.delete(channel);
  }

  async function resumePoint(channel: string, resume: number | undefined): Promise<number> {
    const acked = await store.ackedThrough(channel);
    // Acks sent while the old link was dying never arrived, though the listener counts them in its
    // resume point: resend from what the store saw acknowledged, and the listener confirms those as
    // duplicates without delivering them again. A resume point further back is honoured.
    return Math.min(resume ?? acked, acked);
  }

  // A listener socket's handlers are shared by every socket (`this` is the socket) and find its
  // state in `listeners`: closures per socket would cost an idle relay more than the state itself.
  function onListener(ws: WebSocket, channel: string) {
    const listener = new SocketListener(ws, channel, listenerContext);
    listener.helloTimer = setTimeout(failListener, options.helloTimeoutMs ?? 10_000, ws, 1008, 'no hello within time');
    listeners.set(ws, listener);
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('close', onListenerClose);
    // ws reports a frame it cannot accept (bad opcode, invalid UTF-8, over maxPayload) here, after it
    // has already sent its close frame with the matching code; it ends the socket itself.
    ws.on('error', onListenerError);
  }

  function sendTo(ws: WebSocket, message: ServerMessage) {
    ws.send(JSON.stringify(message));
  }

  function failListener(ws: WebSocket, code: number, reason: string) {
    metrics.protocolErrors += 1;
    sendTo(ws, { type: 'error', code: 'WHCLI_ERR_PROTOCOL', message: reason });
    ws.close(code, closeReason(reason));
  }

  function onPong(this: WebSocket) {
    const listener = listeners.get(this);
    if (listener) listener.heard = true;
  }

  function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
    const ws = this;
    const listener = listeners.get(ws);
    if (!listener) return;
    listener.heard = true;
    if (isBinary) return failListener(ws, 1003, 'listeners send text messages only');
    const text = data as Buffer;
    if (text.length > MAX_CLIENT_MESSAGE) return failListener(ws, 1009, `message larger than ${MAX_CLIENT_MESSAGE} bytes`);
    let message;
    try {
      message = parseClientMessage(text.toString());
    } catch (error) {
      return failListener(ws, 1008, error instanceof ProtocolError ? error.message : 'bad message');
    }
    if (message.type === 'hello') {
      if (listener.helloSeen) return failListener(ws, 1008, 'hello sent twice');
      listener.helloSeen = true;
      clearTimeout(listener.helloTimer);
      listener.helloTimer = undefined;
      const { resume, window } = message;
      void (async () => {
        const resumeFrom = await resumePoint(listener.channel, resume);
        // The socket may have closed while the store answered: then there is nothing to attach.
        if (ws.readyState !== ws.OPEN) return;
        const session = new ListenerSession(listener, listener.channel, resumeFrom, Math.min(window ?? DEFAULT_WINDOW, 4096));
        listener.session = session;
        sendTo(ws, { type: 'ready', v: PROTOCOL_VERSION, channel: listener.channel, url: `${baseUrl}/c/${listener.channel}`, resumeFrom });
        hub.attach(session);
      })().catch(() => ws.terminate());
      return;
    }
    // Between hello and ready nothing is in flight yet, so an ack then refers to nothing: ignored,
    // like any ack for an event this listener does not hold.
    const { session } = listener;
    if (!session) return listener.helloSeen ? undefined : failListener(ws, 1008, 'ack before hello');
    if (message.type === 'acks') for (const ack of message.acks) void hub.acknowledge(session, ack.seq, ack.report);
    else void hub.acknowledge(session, message.seq, message.report);
  }

  function onListenerClose(this: WebSocket) {
    const listener = listeners.get(this);
    if (!listener) return;
    listeners.delete(this);
    ownerOf.delete(this);
    listenersOf.delete(listener.channel, this);
    clearTimeout(listener.helloTimer);
    if (listener.session) hub.detach(listener.session);
  }

  function onListenerError() {
    metrics.protocolErrors += 1;
  }

  // Idle channels go, unless a listener holds them: touched first, so a quiet channel with a
  // listener attached (here or on another relay of the same store) is never deleted.
  const idleMs = options.channelIdleMs ?? 0;
  const sweepTimer =
    idleMs > 0 && store.expireIdleChannels
      ? setInterval(
          () =>
            void (async () => {
              await store.touchChannels?.(hub.activeChannels);
              metrics.channelsExpired += await store.expireIdleChannels!(idleMs);
            })().catch((error: unknown) => log(`idle channel sweep failed: ${(error as Error).message}`)),
          Math.max(1_000, Math.min(60_000, Math.floor(idleMs / 4))),
        )
      : undefined;
  sweepTimer?.unref();

  // One timer pings every listener, rather than one per socket (an idle relay holds thousands):
  // silent disconnects (sleep, NAT drops) are found by a pong missing for a whole interval.
  const heartbeat = setInterval(() => {
    for (const [ws, listener] of listeners) {
      if (!listener.heard) {
        ws.terminate();
        continue;
      }
      listener.heard = false;
      ws.ping();
    }
  }, options.pingIntervalMs ?? 15_000);
  heartbeat.unref();

  const checkTimer = setInterval(
    () =>
      void (async () => {
        for (const channel of listenersOf.channels()) {
          if (await store.getChannel(channel)) continue;
          // Deleted through another relay of the same store: its listeners must not make it again.
          const deleted = (await store.wasDeleted?.(channel)) ?? false;
          log(`channel ${channel} ${deleted ? 'was deleted by its owner' : 'no longer exists in the store'}: closing its ${listenersOf.count(channel)} listener(s)`);
          for (const ws of listenersOf.members(channel)) ws.close(deleted ? CLOSE_CHANNEL_DELETED : CLOSE_CHANNEL_GONE, deleted ? CHANNEL_DELETED_REASON : 'channel no longer exists');
        }
      })().catch(() => {}), // the store is down: /healthz says so, and the next round checks again
    options.channelCheckMs ?? 30_000,
  );
  checkTimer.unref();

  // A revoked key's listeners are told so and closed: the key is the team's way to cut someone off.
  const keyTimer = setInterval(
    () =>
      void (async () => {
        if (ownerOf.size === 0) return;
        const live = await access.liveKeyIds();
        if (!live) return;
        for (const [ws, owner] of ownerOf) {
          if (!live.has(owner)) ws.close(CLOSE_KEY_REVOKED, 'access key revoked: ask the relay operator for a new one');
        }
      })().catch(() => {}),
    options.keyCheckMs ?? 5_000,
  );
  keyTimer.unref();

  server.listen(options.port ?? 8787, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // After listening, an error (EMFILE on accept) must not end the process: it is logged, and
  // the server keeps accepting once descriptors free up.
  server.on('error', (error) => log(`server error: ${error.message}`));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = (options.publicUrl ?? `${tlsServer ? 'https' : 'http'}://${host}:${address.port}`).replace(/\/$/, '');

  return {
    url: baseUrl,
    address: { host: address.address, port: address.port },
    store,
    metrics,
    createChannel,
    reloadTls: (tls) => {
      if (!tlsServer) throw new Error('the relay was started without TLS');
      tlsServer.setSecureContext({ cert: tls.cert, key: tls.key });
    },
    registerChannel: (id, token) => store.createChannel({ id, tokenHash: hashToken(token), createdAt: Date.now() }),
    attachLocal: async (channel, { resume, window, deliver }) => {
      const resumeFrom = await resumePoint(channel, resume);
      const session = new ListenerSession({ deliver }, channel, resumeFrom, window);
      hub.attach(session);
      return {
        resumeFrom,
        ack: (seq, report) => void hub.acknowledge(session, seq, report),
        detach: () => hub.detach(session),
      };
    },
    close: async () => {
      // Bounded whatever the peers or the store do: stop accepting, let requests in progress
      // finish for a grace period, then cut every connection; the store gets its own bound.
      closing = true;
      clearInterval(sweepTimer);
      clearInterval(checkTimer);
      clearInterval(keyTimer);
      clearInterval(heartbeat);
      stopWatching?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const ws of listeners.keys()) ws.close(1001, 'relay shutting down');
      // Requests waiting for a listener's result get their 504 now rather than after the grace.
      hub.stopWaiting();
      const graceEnds = Date.now() + (options.shutdownGraceMs ?? 5_000);
      while (active > 0 && Date.now() < graceEnds) await delay(20);
      for (const ws of listeners.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await closed;
      await Promise.race([store.close().catch((error: unknown) => log(`store close failed: ${(error as Error).message}`)), delay(STORE_CLOSE_TIMEOUT_MS)]);
    },
  };
}
