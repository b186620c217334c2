/** Ingress refuses "." and ".." path segments, which would climb out of the listener's --forward path. */
import { request } from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';

let relay: RelayServer | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

/** POSTs with the path exactly as written (fetch would resolve the dot segments itself). */
async function rawPost(base: string, path: string): Promise<number> {
  const url = new URL(base);
  const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers: { 'content-type': 'application/json' } });
  req.end('{}');
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  res.resume();
  return res.statusCode!;
}

describe('ingress paths', () => {
  it.each(['/../admin', '/a/../../admin/delete-all', '/./x', '/%2e%2e/admin', '/a/%2E/b'])('refuses %s with 400 and stores nothing', async (suffix) => {
    relay = await startRelay({ port: 0 });
    const channel = await relay.createChannel();
    expect(await rawPost(relay.url, `/c/${channel.id}${suffix}`)).toBe(400);
    expect((await relay.store.stats()).storedEvents).toBe(0);
  });

  it.each(['/stripe/v1/events', '/.well-known/hook', '/a.b/c...d'])('accepts %s', async (suffix) => {
    relay = await startRelay({ port: 0 });
    const channel = await relay.createChannel();
    expect(await rawPost(relay.url, `/c/${channel.id}${suffix}`)).toBe(200);
  });
});
