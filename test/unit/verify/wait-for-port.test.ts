import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hostAndPort, tryConnect, waitForPort } from '../../../src/verify/wait-for-port.js';
import { freePort } from '../../helpers/verify-server.js';

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
});

async function listen(port = 0): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

describe('hostAndPort', () => {
  it('fills default ports and unwraps IPv6 hosts', () => {
    expect(hostAndPort(new URL('http://localhost/x'))).toEqual({ host: 'localhost', port: 80 });
    expect(hostAndPort(new URL('https://example.com'))).toEqual({ host: 'example.com', port: 443 });
    expect(hostAndPort(new URL('http://[::1]:3000/'))).toEqual({ host: '::1', port: 3000 });
  });
});

describe('tryConnect', () => {
  it('connects to a listening port', async () => {
    const port = await listen();
    expect(await tryConnect(new URL(`http://127.0.0.1:${port}/hooks`), 1000)).toEqual({ ok: true });
  });

  it('says "connection refused" when nothing listens', async () => {
    const port = await freePort();
    expect(await tryConnect(new URL(`http://127.0.0.1:${port}`), 1000)).toEqual({
      ok: false,
      code: 'ECONNREFUSED',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });
});

describe('waitForPort', () => {
  it('is ready at once when the port already listens', async () => {
    const port = await listen();
    expect(await waitForPort(new URL(`http://127.0.0.1:${port}`), { timeoutMs: 1000 })).toBe('ready');
  });

  it('keeps trying until the port opens', async () => {
    const port = await freePort();
    const waiting = waitForPort(new URL(`http://127.0.0.1:${port}`), { timeoutMs: 10_000, intervalMs: 10 });
    await listen(port);
    expect(await waiting).toBe('ready');
  });

  it('gives up after the timeout', async () => {
    const port = await freePort();
    const started = Date.now();
    expect(await waitForPort(new URL(`http://127.0.0.1:${port}`), { timeoutMs: 150, intervalMs: 20 })).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops when the process that should open the port exits', async () => {
    const port = await freePort();
    expect(await waitForPort(new URL(`http://127.0.0.1:${port}`), { timeoutMs: 10_000, exited: Promise.resolve() })).toBe('exited');
  });

  it('stops on abort', async () => {
    const port = await freePort();
    const stop = new AbortController();
    const waiting = waitForPort(new URL(`http://127.0.0.1:${port}`), { timeoutMs: 10_000, signal: stop.signal, intervalMs: 5000 });
    stop.abort('SIGINT');
    expect(await waiting).toBe('aborted');
  });
});
