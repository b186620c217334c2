/**
 * HTTP(S)_PROXY and NO_PROXY: the relay connection (channel creation and the WebSocket) and deliveries
 * to non-loopback handlers go through the proxy; loopback never does. The proxy is a real CONNECT
 * proxy on loopback that sends every tunnel to 127.0.0.1, so made-up host names work offline.
 */
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, listenTracked, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startCli, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

/** A CONNECT proxy recording each tunnel's target; every host resolves to 127.0.0.1. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => res.writeHead(405).end('CONNECT only'));
  server.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const port = Number((req.url ?? '').split(':').pop());
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return { url: (await listenTracked(server)).url, tunnels };
}

it('listen reaches a remote relay through the proxy and its loopback handler directly', async () => {
  const home = await makeHome();
  const proxy = await startConnectProxy();
  const relay = await startRelayProcess(home);
  const handler = await startHandler();
  const relayUrl = `http://relay.whcli.test:${relay.port}`;
  const proxied = await startListenerProcessWithEnv(home, ['--relay', relayUrl, '--no-inspect', '-f', handler.url], { HTTP_PROXY: proxy.url, NO_PROXY: 'example.org' });
  expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
  expect(new Set(proxy.tunnels)).toEqual(new Set([`relay.whcli.test:${relay.port}`]));

  const posted = await fetch(proxied.url.replace('relay.whcli.test', '127.0.0.1'), { method: 'POST', body: '{"id":"evt_proxy"}' });
  expect(posted.status).toBe(200);
  await handler.waitForRequests(1);
  expect(proxy.tunnels.some((t) => t.endsWith(`:${handler.port}`))).toBe(false);
});

it('trigger goes through the proxy to a named host, and NO_PROXY sends it direct', async () => {
  const home = await makeHome();
  const proxy = await startConnectProxy();
  const handler = await startHandler();
  const target = `http://hooks.whcli.test:${handler.port}/in`;
  const args = ['trigger', 'push', '-p', 'github', '-s', 's3cret', '-f', target];

  const proxied = await runCli(args, home, { HTTP_PROXY: proxy.url });
  expect(proxied.code, proxied.stderr).toBe(0);
  expect(proxy.tunnels).toEqual([`hooks.whcli.test:${handler.port}`]);
  expect((await handler.waitForRequests(1))[0]!.url).toBe('/in');

  // Not proxied: the made-up name does not resolve, which proves the proxy was skipped.
  const direct = await runCli(args, home, { http_proxy: proxy.url, NO_PROXY: '.whcli.test' });
  expect(direct.code).toBe(1);
  expect(direct.stderr).toMatch(/^whcli: cannot resolve host hooks\.whcli\.test/);
  // Loopback is never proxied, whatever the settings.
  const loopback = await runCli(['trigger', 'push', '-p', 'github', '-s', 's3cret', '-f', `localhost:${handler.port}`], home, { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
  expect(loopback.code, loopback.stderr).toBe(0);
  expect(proxy.tunnels).toHaveLength(1);
});

async function startListenerProcessWithEnv(home: string, args: string[], env: Record<string, string>): Promise<{ url: string }> {
  const proc = startCli(['listen', '--json', ...args], home, env);
  const ready = await proc.waitForLine((l) => l.type === 'ready', 'the ready line');
  await proc.waitForLine((l) => l.type === 'status' && l.status === 'ready', 'the connection');
  return { url: ready.url as string };
}
