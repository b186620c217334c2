import WebSocket from 'ws';
import { decodeEventFrames, PROTOCOL_VERSION, type Ack, type DeliveryReport, type RelayEvent, type ServerMessage } from '../relay/protocol.js';
import { AckTracker, type LinkCallbacks, type RelayLink } from './relay-link.js';
import { channelSocketUrl } from './relay-url.js';


export interface RelayConnectionOptions extends LinkCallbacks {
  relay: URL;
  channel: string;
  token: string;
  /** Events the relay may send before we acknowledge. */
  window?: number;
  /** Reconnect backoff: doubles from initial to max, with ±20% jitter. */
  backoff?: { initialMs: number; maxMs: number };
  /** Opens the WebSocket's connection (through an HTTP proxy). */
  agent?: import('node:http').Agent;
  /** With no message or ping from the relay for this long, the link is presumed dead. */
  idleTimeoutMs?: number;
}

/**
 * The listener's WebSocket to a relay: says hello with the last acknowledged seq, reconnects with
 * backoff and jitter, and gives up only when the relay refuses us (401/404).
 */
export class RelayConnection implements RelayLink {
  private ws: WebSocket | undefined;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly acked = new AckTracker();
  /** Acks waiting for the end of this turn of the event loop, sent as one frame. */
  private pendingAcks: Ack[] = [];
  private flushScheduled = false;

  constructor(private readonly options: RelayConnectionOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    this.ws?.close(1000, 'listener stopped');
    this.ws?.terminate();
  }

  /** Reports a result; if the socket is down the relay resends the event after we reconnect. */
  ack(seq: number, report: DeliveryReport): void {
    this.acked.mark(seq);
    this.pendingAcks.push({ seq, report });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushAcks());
  }

  isAcked(seq: number): boolean {
    return this.acked.has(seq);
  }

  private flushAcks(): void {
    this.flushScheduled = false;
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    if (acks.length === 0 || this.ws?.readyState !== WebSocket.OPEN) return;
    const message = acks.length === 1 ? { type: 'ack', ...acks[0]! } : { type: 'acks', acks };
    this.ws.send(JSON.stringify(message));
  }

  private connect(): void {
    this.attempt += 1;
    this.options.onStatus({ type: 'connecting', attempt: this.attempt });
    const ws = new WebSocket(channelSocketUrl(this.options.relay, this.options.channel), {
      headers: { authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: 10_000,
      ...(this.options.agent ? { agent: this.options.agent } : {}),
      perMessageDeflate: false,
      // Masking protects browsers' proxies; between two Node processes it is pure cost.
      generateMask: () => {},
    });
    this.ws = ws;
    let refused = false;
    let failure: string | undefined;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      if (status === 401 || status === 403 || status === 404) {
        this.stopped = true;
        this.options.onStatus({ type: 'rejected', status, reason: status === 404 ? 'unknown channel' : 'invalid token' });
      } else {
        this.scheduleReconnect(`relay answered HTTP ${status}`);
      }
    });
    ws.on('open', () => {
      this.touch();
      ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, resume: this.acked.through, window: this.options.window, client: 'whcli' }));
    });
    ws.on('ping', () => this.touch());
    ws.on('message', (data, isBinary) => {
      this.touch();
      let events: RelayEvent[] = [];
      let message: ServerMessage | undefined;
      try {
        if (isBinary) events = decodeEventFrames(data as Buffer, this.options.channel);
        else message = JSON.parse(data.toString()) as ServerMessage;
      } catch (error) {
        // A garbled frame (a broken proxy, say): drop the link and resume from what was acknowledged.
        failure = `malformed message from the relay: ${(error as Error).message}`;
        ws.terminate();
        return;
      }
      for (const event of events) this.options.onEvent(event);
      if (!message) return;
      if (message.type === 'ready') {
        this.attempt = 0;
        this.options.onStatus({ type: 'ready', url: message.url, resumeFrom: message.resumeFrom });
      }
    });
    ws.on('close', (code, reason) => {
      clearTimeout(this.idleTimer);
      if (refused || this.ws !== ws) return;
      this.scheduleReconnect(failure ?? (reason.toString() || `connection closed (${code})`));
    });
    ws.on('error', (error) => {
      if (refused) return;
      const code = (error as NodeJS.ErrnoException).code;
      // ws follows every error with 'close', which reconnects; keep the reason for the user.
      failure = code === 'ECONNREFUSED' ? 'relay unreachable (connection refused)' : error.message;
    });
  }

  /** Any traffic from the relay proves the link alive; silence past the idle timeout kills it. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    const ws = this.ws;
    this.idleTimer = setTimeout(() => {
      if (ws !== this.ws) return;
      ws?.terminate();
    }, this.options.idleTimeoutMs ?? 45_000);
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 250, maxMs: 10_000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, this.attempt - 1));
    const retryInMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.ws = undefined;
    this.options.onStatus({ type: 'disconnected', reason, retryInMs });
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
  }
}
