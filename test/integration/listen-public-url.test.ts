/**
 * `whcli listen --public-url`: the URL a tunnel (ngrok, cloudflared, Tailscale Funnel) gives the
 * embedded relay is the webhook URL printed in the banner and the ready line, and requests that arrive
 * through the tunnel, addressed to that host, are delivered.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, startCli, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

/** POSTs to the embedded relay as a tunnel does: to loopback, with the public host in Host. */
function postThroughTunnel(relayUrl: string, path: string, host: string, body: string): Promise<number> {
  const target = new URL(relayUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path, method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('listen --public-url', () => {
  it('prints the tunnel URL as the webhook URL and delivers what comes through the tunnel', async () => {
    const handler = await startHandler();
    const home = await makeHome();
    const { ready } = await startListenerProcess(home, ['-f', handler.url, '--no-resign', '--public-url', 'https://abc.ngrok.example', '--no-inspect', '--port', '0']);
    expect(ready.url).toBe(`https://abc.ngrok.example/c/${ready.channel}`);
    expect(ready.source).toEqual({ kind: 'public-url', relayUrl: `${ready.relay.replace(/\/$/, '')}/c/${ready.channel}` });

    const status = await postThroughTunnel(ready.relay, `/c/${ready.channel}/hooks?x=1`, 'abc.ngrok.example', '{"id":"evt_tunnel"}');
    expect(status).toBe(200);
    const [received] = await handler.waitForRequests(1);
    expect(received!.url).toBe('/hooks?x=1');
    expect(received!.body.toString()).toBe('{"id":"evt_tunnel"}');
  });

  it('shows the tunnel URL in the banner', async () => {
    const handler = await startHandler();
    const home = await makeHome();
    const proc = startCli(['listen', '-f', handler.url, '--no-resign', '--public-url', 'https://abc.ngrok.example/', '--no-inspect', '--port', '0'], home);
    await proc.waitFor(() => (/Tunnel to/.test(proc.stdout) ? true : undefined), 'the banner');
    expect(proc.stdout).toMatch(/Webhook URL\s+https:\/\/abc\.ngrok\.example\/c\/ch_\S+/);
    expect(proc.stdout).toMatch(/Tunnel to\s+http:\/\/127\.0\.0\.1:\d+\/c\/ch_/);
  });

  it.each(['ftp://abc.example', 'abc.example', 'https://abc.example/?x=1'])('refuses %s with one line and exit 2', async (url) => {
    const home = await makeHome();
    const proc = startCli(['listen', '-f', '3000', '--no-resign', '--public-url', url, '--no-inspect'], home);
    await proc.exited;
    expect(proc.exitCode).toBe(2);
    expect(proc.stderr).toMatch(/^whcli: --public-url /);
    expect(proc.stderr.trim().split('\n')).toHaveLength(1);
  });
});
