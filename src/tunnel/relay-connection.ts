import WebSocket from 'ws';
import { PROTOCOL_VERSION, type Ack, type DeliveryReport } from '../relay/protocol.js';
import { AckTracker, type LinkCallbacks, type RelayLink } from './relay-link.js';
import { channelSocketUrl } from './relay-url.js';
import { decodeEventMessage, readyMessage } from './validate-event.js';

/** Close code a relay may use for "this channel is unknown here" on an open socket (like a 404 on the upgrade). */
export const CLOSE_UNKNOWN_CHANNEL = 4404;
/** The relay closes a listener whose channel's access key was revoked with this code. */
export const CLOSE_KEY_REVOKED = 4401;
/** The channel's owner deleted it (`whcli channels rm`): the listener stops rather than make it again. */
export const CLOSE_CHANNEL_DELETED = 4410;
/** The largest message taken from a relay (ws's own default, stated): a batch holds at most a window of events. */
const MAX_RELAY_MESSAGE = 100 * 1024 * 1024;

export interface RelayConnectionOptions extends LinkCallbacks {
  relay: URL;
  channel: string;
  token: string;
  /** Events the relay may send before we acknowledge; a relay that sends more is disconnected. */
  window: number;
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
  /** Seqs received on the current socket and not yet acknowledged: never more than the window. */
  private outstanding = new Set<number>();
  private paused = false;
  /** The last `error` message the relay sent on this socket, the reason of the close that follows it. */
  private relayError: string | undefined;

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
    this.outstanding.delete(seq);
    this.pendingAcks.push({ seq, report });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushAcks());
  }

  isAcked(seq: number): boolean {
    return this.acked.has(seq);
  }

  pause(): void {
    this.paused = true;
    // Not reading is our choice, not a dead link.
    clearTimeout(this.idleTimer);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.resume();
      this.touch();
    }
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
      maxPayload: MAX_RELAY_MESSAGE,
      ...(this.options.agent ? { agent: this.options.agent } : {}),
      perMessageDeflate: false,
      // Masking protects browsers' proxies; between two Node processes it is pure cost.
      generateMask: () => {},
    });
    this.ws = ws;
    this.relayError = undefined;
    let refused = false;
    let failure: string | undefined;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      if (status === 401 || status === 403 || status === 404) {
        this.stopped = true;
        this.options.onStatus({ type: 'rejected', status, reason: status === 404 ? 'unknown channel' : status === 403 ? 'the channel belongs to another access key' : 'invalid token' });
      } else {
        this.scheduleReconnect(`relay answered HTTP ${status}`);
      }
    });
    ws.on('open', () => {
      if (this.paused) ws.pause();
      else this.touch();
      ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, resume: this.acked.through, window: this.options.window, client: 'whcli' }));
    });
    ws.on('ping', () => this.touch());
    // Per socket: the relay's window counts what it sent on this one, in order after `ready`.
    this.outstanding = new Set();
    let unnumbered = 0;
    let lastSeq: number | undefined;
    const fail = (code: number, reason: string) => {
      failure = reason;
      this.flushAcks(); // refusals first, so the relay does not send those events again
      ws.close(code, reason.slice(0, 120));
    };
    ws.on('message', (data, isBinary) => {
      if (!this.paused) this.touch();
      if (this.ws !== ws || failure) return;
      if (!isBinary) return this.onText(data as Buffer, fail, (resumeFrom) => (lastSeq = resumeFrom));
      const decoded = decodeEventMessage(data as Buffer, this.options.channel);
      for (const entry of decoded.entries) {
        const seq = entry.ok ? entry.event.seq : entry.refused.seq;
        if (seq === undefined) unnumbered += 1;
        else {
          if (lastSeq !== undefined && seq > lastSeq + 1) this.acked.skip(lastSeq + 1, seq - 1);
          if (lastSeq === undefined || seq > lastSeq) lastSeq = seq;
          this.outstanding.add(seq);
        }
        if (this.outstanding.size + unnumbered > this.options.window) {
          return fail(1008, `the relay sent more than the window of ${this.options.window} unacknowledged events`);
        }
        if (entry.ok) this.options.onEvent(entry.event);
        else this.options.onRefused?.(entry.refused);
      }
      // The rest of a garbled message cannot be read: reconnect, and the relay sends it again.
      if (decoded.broken) fail(1007, `malformed message from the relay: ${decoded.broken}`);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(this.idleTimer);
      if (refused || this.ws !== ws) return;
      if (code === CLOSE_KEY_REVOKED) {
        this.stopped = true;
        this.options.onStatus({ type: 'rejected', status: 401, reason: `${reason.toString() || 'access key revoked'} (close ${code})` });
        return;
      }
      if (code === CLOSE_CHANNEL_DELETED) {
        this.stopped = true;
        this.options.onStatus({ type: 'rejected', status: 410, reason: reason.toString() || 'channel deleted by its owner' });
        return;
      }
      if (code === CLOSE_UNKNOWN_CHANNEL) {
        this.stopped = true;
        this.options.onStatus({ type: 'rejected', status: 404, reason: reason.toString() || 'unknown channel' });
        return;
      }
      this.scheduleReconnect(failure ?? this.relayError ?? (reason.toString() || `connection closed (${code})`));
    });
    ws.on('error', (error) => {
      if (refused) return;
      const code = (error as NodeJS.ErrnoException).code;
      // ws follows every error with 'close', which reconnects; keep the reason for the user.
      failure = code === 'ECONNREFUSED' ? 'relay unreachable (connection refused)' : error.message;
    });
  }

  /** A control message: `ready` (checked), `error` (kept as the reason of the close that follows). */
  private onText(data: Buffer, fail: (code: number, reason: string) => void, onReady: (resumeFrom: number) => void): void {
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return fail(1007, 'malformed message from the relay: a text message is not JSON');
    }
    if (!message || typeof message !== 'object') return fail(1007, 'malformed message from the relay: a text message is not a JSON object');
    const m = message as Record<string, unknown>;
    if (m.type === 'ready') {
      const ready = readyMessage(m);
      if (!ready) return fail(1007, 'malformed message from the relay: its ready message lacks a url or resumeFrom');
      this.attempt = 0;
      this.acked.begin(ready.resumeFrom);
      onReady(ready.resumeFrom);
      this.options.onStatus({ type: 'ready', url: ready.url, resumeFrom: ready.resumeFrom });
    } else if (m.type === 'error' && typeof m.message === 'string') {
      this.relayError = `the relay reported: ${m.message.slice(0, 200)}`;
    }
    // Other types are from a newer relay: ignored, as the protocol allows.
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
