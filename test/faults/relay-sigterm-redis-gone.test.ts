/**
 * Shutdown always ends: a `whcli relay` whose Redis is gone, with a listener attached and requests
 * failing, still exits on SIGTERM (stop accepting, a bounded grace, then cut; the store's QUIT is
 * bounded too). While Redis is gone /healthz says 503. And a file store path that cannot be made
 * (/proc/x) is refused up front in one line with exit 2, instead of a mkdir that never ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, runCli, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';
import { redisAvailable, startRedis } from '../helpers/redis-server.js';
import { socketUrl } from '../helpers/relay-client.js';

const hasRedis = redisAvailable();

afterEach(async () => {
  closeAllRawListeners();
  await stopAllProcesses();
});

describe('relay shutdown', () => {
  it.skipIf(!hasRedis)('exits on SIGTERM with Redis gone and a listener attached; /healthz is 503 meanwhile', { timeout: 120_000 }, async () => {
    const redis = await startRedis();
    const relay = await startRelayProcess(await makeHome(), ['--store', redis.url, '--rate-limit', '0']);
    const channel = (await (await fetch(`${relay.url}/api/channels`, { method: 'POST' })).json()) as { id: string; token: string; url: string };
    const listener = new RawListener(socketUrl(relay.url, channel.id), channel.token, { autoAck: true });
    await listener.hello();
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);

    await redis.stop();
    // Requests keep arriving and failing while the store is gone.
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(channel.url, { method: 'POST', body: '{}' }).then((r) => r.status)));
    expect(answers.every((status) => status >= 500)).toBe(true);
    let health = 0;
    while (health !== 503) health = (await fetch(`${relay.url}/healthz`)).status;

    await relay.proc.kill('SIGTERM');
    expect(relay.proc.exitCode).toBe(0);
    expect(relay.proc.stderr).toBe('');
  });

  it('refuses --store file:/proc/x in one line, exit 2', async () => {
    const run = await runCli(['relay', '--port', '0', '--store', 'file:/proc/whcli-x'], await makeHome());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^whcli: --store file:\/proc\/whcli-x: cannot create \/proc\/whcli-x \(ENOENT\): choose a writable directory\n$/);
  });
});
