/**
 * A TCP proxy on loopback (node:net) that can cut every proxied connection at once, to simulate a
 * network drop between a listener and its relay. Tracked so `closeAllProxies()` in `afterEach` stops it.
 */
import { EventEmitter, once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  url: string;
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Resets (RST) both sides of every live connection; returns how many were cut. */
  cut(): number;
  /** Resolves once at least `count` connections were accepted in total. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const open = new Set<TcpProxy>();

/** Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const events = new EventEmitter();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
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
    waitForConnections(count, timeoutMs = 10_000) {
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
