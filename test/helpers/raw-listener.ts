/**
 * A hand-driven listener socket for relay tests: connects with a token, says hello when asked, decodes
 * event messages by the layout in docs/protocol.md (written here, independently of src/), and acks
 * on demand or automatically. Tracked so `closeAllRawListeners()` in `afterEach` ends what a test left.
 */
import { EventEmitter, once } from 'node:events';
import WebSocket from 'ws';

export interface RawEvent {
  seq: number;
  id: string;
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body: Buffer;
}

const open = new Set<RawListener>();

/** [u32 n][n bytes header JSON][body]; in a batch each header has bodyLength and the next event follows. */
export function decodeEvents(data: Buffer): RawEvent[] {
  const events: RawEvent[] = [];
  let offset = 0;
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const header = JSON.parse(data.subarray(offset + 4, offset + 4 + length).toString('utf8')) as Omit<RawEvent, 'body'> & { type: string; bodyLength?: number };
    if (header.type !== 'event') throw new Error(`not an event frame: ${header.type}`);
    const start = offset + 4 + length;
    const end = header.bodyLength === undefined ? data.length : start + header.bodyLength;
    events.push({ seq: header.seq, id: header.id, method: header.method, path: header.path, query: header.query, headers: header.headers, body: data.subarray(start, end) });
    offset = end;
  }
  return events;
}

export class RawListener {
  readonly ws: WebSocket;
  readonly texts: Record<string, unknown>[] = [];
  readonly events: RawEvent[] = [];
  readonly opened: Promise<unknown>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set once the socket closed. */
  closeInfo: { code: number; reason: string } | undefined;
  /** The HTTP status when the upgrade was refused. */
  refusedWith: number | undefined;
  private readonly signals = new EventEmitter();

  constructor(
    socketUrl: string,
    token: string,
    private readonly options: { autoAck?: boolean } = {},
  ) {
    this.ws = new WebSocket(socketUrl, { headers: { authorization: `Bearer ${token}` } });
    open.add(this);
    this.opened = once(this.ws, 'open');
    this.opened.catch(() => {});
    // Not once(): it rejects on 'error', which a refused upgrade emits before 'close'.
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        open.delete(this);
        this.closeInfo = { code, reason: reason.toString() };
        this.signals.emit('change');
        resolve(this.closeInfo);
      });
    });
    this.ws.on('unexpected-response', (_req, res) => {
      this.refusedWith = res.statusCode;
      res.resume();
      this.signals.emit('change');
      this.ws.terminate();
    });
    this.ws.on('error', () => {});
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) this.texts.push(JSON.parse(data.toString()) as Record<string, unknown>);
      else {
        const events = decodeEvents(data);
        this.events.push(...events);
        if (this.options.autoAck && events.length) {
          this.send({ type: 'acks', acks: events.map((e) => ({ seq: e.seq, report: { ok: true, status: 200, durationMs: 1 } })) });
        }
      }
      this.signals.emit('change');
    });
  }

  send(message: unknown, options: { binary?: boolean } = {}): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const data = typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message);
    this.ws.send(data, { binary: options.binary ?? false });
  }

  /** Resolves when `check` holds, re-checked on every message or close; rejects after `timeoutMs`. */
  waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.signals.off('change', onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.signals.off('change', onChange);
        reject(new Error(`timed out waiting for ${what}; texts ${JSON.stringify(this.texts)}, ${this.events.length} events, close ${JSON.stringify(this.closeInfo)}`));
      }, timeoutMs);
      this.signals.on('change', onChange);
    });
  }

  /** Sends hello and waits for ready. */
  async hello(fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    await this.opened;
    this.send({ type: 'hello', v: 1, ...fields });
    await this.waitFor(() => this.texts.some((t) => t.type === 'ready'), 'ready');
    return this.texts.find((t) => t.type === 'ready')!;
  }

  waitForEvents(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.events.length >= count, `${count} events`, timeoutMs);
  }

  /** A pong comes back after the relay has read everything sent before the ping. */
  async sync(): Promise<void> {
    this.ws.ping();
    await once(this.ws, 'pong');
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Terminates every raw listener still open. For `afterEach`/`afterAll`. */
export function closeAllRawListeners(): void {
  for (const listener of open) listener.terminate();
  open.clear();
}
