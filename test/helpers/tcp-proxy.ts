/**
 * A TCP proxy on loopback (node:net) that can cut every proxied connection at once, to simulate a
 * network drop between a listener and its relay, or cut one in the middle of a WebSocket frame: it
 * follows the frames in each direction (after the HTTP upgrade) and forwards only part of the next
 * one before resetting both sides. Tracked so `closeAllProxies()` in `afterEach` stops it.
 */
import { EventEmitter, once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** relay -> listener is "down", listener -> relay is "up". */
export type Direction = 'down' | 'up';

export interface MidFrameCut {
  direction: Direction;
  /** Length of the frame that was cut (header and payload). */
  frameBytes: number;
  /** How many of its bytes went through before the reset. */
  forwardedBytes: number;
}

export interface TcpProxy {
  url: string;
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Resets (RST) both sides of every live connection; returns how many were cut. */
  cut(): number;
  /**
   * Arms a cut inside the next WebSocket frame going `direction` with at least `minPayload` payload
   * bytes: its header and half its payload go through, then both sides are reset.
   */
  cutMidFrame(direction: Direction, minPayload?: number): Promise<MidFrameCut>;
  /** Resolves once at least `count` connections were accepted in total. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const open = new Set<TcpProxy>();

interface FrameStart {
  /** Position of the frame's first byte in the stream. */
  at: number;
  headerBytes: number;
  payloadBytes: number;
}

/** Follows one direction of a WebSocket connection: skips the HTTP head, then finds frame boundaries. */
class FrameTracker {
  private position = 0;
  private inHttp = true;
  private httpTail = '';
  /** Bytes left of the current frame (header included) before the next one starts. */
  private left = 0;
  private pendingHeader: Buffer = Buffer.alloc(0);
  private pendingAt = 0;

  /** The frames that start in this chunk (their header complete), in order. */
  feed(chunk: Buffer): FrameStart[] {
    const starts: FrameStart[] = [];
    let i = 0;
    if (this.inHttp) {
      const text = this.httpTail + chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) {
        this.httpTail = text.slice(-3);
        this.position += chunk.length;
        return starts;
      }
      this.inHttp = false;
      i = end + 4 - this.httpTail.length;
      this.httpTail = '';
    }
    while (i < chunk.length) {
      if (this.left > 0) {
        const take = Math.min(this.left, chunk.length - i);
        this.left -= take;
        i += take;
        continue;
      }
      if (this.pendingHeader.length === 0) this.pendingAt = this.position + i;
      // Accumulate header bytes until the header is complete.
      const need = headerLength(Buffer.concat([this.pendingHeader, chunk.subarray(i, i + 14)]));
      const have = this.pendingHeader.length;
      if (need === undefined || have + (chunk.length - i) < need) {
        const take = chunk.length - i;
        this.pendingHeader = Buffer.concat([this.pendingHeader, chunk.subarray(i)]);
        i += take;
        continue;
      }
      const header = Buffer.concat([this.pendingHeader, chunk.subarray(i, i + need - have)]);
      i += need - have;
      this.pendingHeader = Buffer.alloc(0);
      const payload = payloadLength(header);
      starts.push({ at: this.pendingAt, headerBytes: need, payloadBytes: payload });
      this.left = payload;
    }
    this.position += chunk.length;
    return starts;
  }

  get consumed(): number {
    return this.position;
  }
}

/** RFC 6455 §5.2: header length from its first bytes, or undefined when too few are there. */
function headerLength(bytes: Buffer): number | undefined {
  if (bytes.length < 2) return undefined;
  const len7 = bytes[1]! & 0x7f;
  const masked = (bytes[1]! & 0x80) !== 0;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
}

function payloadLength(header: Buffer): number {
  const len7 = header[1]! & 0x7f;
  if (len7 === 126) return header.readUInt16BE(2);
  if (len7 === 127) return Number(header.readBigUInt64BE(2));
  return len7;
}

interface Armed {
  direction: Direction;
  minPayload: number;
  resolve: (cut: MidFrameCut) => void;
}

/** Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const events = new EventEmitter();
  let accepted = 0;
  let armed: Armed | undefined;

  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const relayBytes = (from: Socket, to: Socket, direction: Direction) => {
      const tracker = new FrameTracker();
      let cutAt: number | undefined;
      let cutFrame: FrameStart | undefined;
      from.on('data', (chunk: Buffer) => {
        const base = tracker.consumed;
        const starts = tracker.feed(chunk);
        if (cutAt === undefined && armed?.direction === direction) {
          const frame = starts.find((s) => s.payloadBytes >= armed!.minPayload);
          if (frame) {
            cutFrame = frame;
            cutAt = frame.at + frame.headerBytes + Math.max(1, Math.floor(frame.payloadBytes / 2));
          }
        }
        if (cutAt !== undefined && base + chunk.length >= cutAt) {
          // The receiver reads the partial frame and then the end of the stream (a reset could make
          // its kernel drop the partial frame unread); the sender gets a reset.
          from.pause();
          const done = armed;
          armed = undefined;
          pairs.delete(pair);
          to.end(chunk.subarray(0, cutAt - base), () => {
            from.resetAndDestroy();
            done?.resolve({ direction, frameBytes: cutFrame!.headerBytes + cutFrame!.payloadBytes, forwardedBytes: cutAt! - cutFrame!.at });
          });
          return;
        }
        to.write(chunk);
      });
    };
    relayBytes(client, upstream, 'up');
    relayBytes(upstream, client, 'down');
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    events.emit('connection');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  const proxy: TcpProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    cut() {
      const live = [...pairs];
      pairs.clear();
      for (const [client, upstream] of live) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      return live.length;
    },
    cutMidFrame(direction, minPayload = 8) {
      if (armed) throw new Error('a mid-frame cut is already armed');
      return new Promise((resolve) => (armed = { direction, minPayload, resolve }));
    },
    waitForConnections(count, timeoutMs = 60_000) {
      if (accepted >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onConnection = () => {
          if (accepted < count) return;
          clearTimeout(timer);
          events.off('connection', onConnection);
          resolve();
        };
        const timer = setTimeout(() => {
          events.off('connection', onConnection);
          reject(new Error(`proxy accepted ${accepted} of ${count} connections within ${timeoutMs}ms`));
        }, timeoutMs);
        events.on('connection', onConnection);
      });
    },
    async close() {
      open.delete(proxy);
      armed = undefined;
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.add(proxy);
  return proxy;
}

/** Closes every proxy still open. For `afterEach`. */
export async function closeAllProxies(): Promise<void> {
  await Promise.all([...open].map((p) => p.close()));
}
