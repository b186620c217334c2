/**
 * A small TCP load balancer on loopback for failover tests: each new connection goes to the first
 * backend that accepts it, in the order given, so traffic sticks to the first relay while it lives
 * and moves to the next when it dies. A connection whose backend dies is closed, as a real balancer's
 * would be; the client's reconnection then lands on a live backend. Tracked for `closeAllBalancers()`.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpBalancer {
  url: string;
  port: number;
  /** Connections forwarded to each backend port so far. */
  readonly forwarded: ReadonlyMap<number, number>;
  /** Connections refused by every backend. */
  readonly failed: number;
  close(): Promise<void>;
}

const open = new Set<TcpBalancer>();

function tryConnect(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = () => {
      socket.destroy();
      resolve(undefined);
    };
    socket.once('error', onError);
  });
}

/** Listens on a free loopback port and forwards to 127.0.0.1:<backend>, first live one first. */
export async function startTcpBalancer(backends: readonly number[]): Promise<TcpBalancer> {
  const forwarded = new Map<number, number>();
  const live = new Set<Socket>();
  let failed = 0;
  const server: Server = createServer((client) => {
    client.pause();
    live.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => live.delete(client));
    void (async () => {
      for (const port of backends) {
        const upstream = await tryConnect(port);
        if (!upstream) continue;
        if (client.destroyed) return upstream.destroy();
        forwarded.set(port, (forwarded.get(port) ?? 0) + 1);
        live.add(upstream);
        const drop = () => {
          live.delete(upstream);
          client.destroy();
          upstream.destroy();
        };
        upstream.on('error', drop).on('close', drop);
        client.on('close', drop);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        return;
      }
      failed += 1;
      client.destroy();
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const balancer: TcpBalancer = {
    url: `http://127.0.0.1:${port}`,
    port,
    forwarded,
    get failed() {
      return failed;
    },
    async close() {
      open.delete(balancer);
      for (const socket of live) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.add(balancer);
  return balancer;
}

/** Closes every balancer still open. For `afterEach`. */
export async function closeAllBalancers(): Promise<void> {
  await Promise.all([...open].map((b) => b.close()));
}
