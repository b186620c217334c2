/**
 * A page from another origin cannot make the inspector replay anything. The
 * attacker's page is served from its own loopback port and opened in the same Chromium as the
 * inspector; it tries a CORS fetch carrying the token header (even with the real token), a no-cors
 * POST, a form POST, and reading the page that holds the token. Every attempt is refused and the
 * handler receives nothing beyond the original delivery.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, closeAllBrowsers, launchBrowser, openPage } from '../helpers/browser.js';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';

const SECRET = 'whsec_inspector_security_secret';

let attacker: Server | undefined;

/** Another origin on loopback: a blank page the test scripts. */
async function startAttacker(): Promise<string> {
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>not the inspector</title><iframe name="sink"></iframe>');
  });
  attacker.listen(0, '127.0.0.1');
  await once(attacker, 'listening');
  return `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
}

const run = chromiumAvailable();

describe.skipIf(!run)('the inspector against another origin, in Chromium', () => {
  afterEach(async () => {
    await closeAllBrowsers();
    await stopAllProcesses();
    await closeAllHandlers();
    attacker?.closeAllConnections();
    attacker?.close();
    attacker = undefined;
  });

  it('refuses every cross-origin replay attempt with 403 and delivers nothing', async () => {
    const handler = await startHandler();
    const listener = await startListenerProcess(await makeHome(), ['--port', '0', '--inspect', '0', '--forward', `${handler.url}/hooks`, '--provider', 'stripe', '--secret', SECRET]);
    const inspector = listener.ready.inspector as string;
    await fetch(listener.ready.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"evt_1","type":"invoice.paid"}' });
    await handler.waitForRequests(1);
    const token = /<meta name="whcli-token" content="([^"]+)">/.exec(await (await fetch(inspector)).text())![1]!;
    const replayUrl = `${inspector}/api/exchanges/1/replay`;

    const context = await launchBrowser();
    const evil = await startAttacker();
    const { page } = await openPage(context, evil);
    const outcomes = await page.evaluate(
      async ({ replayUrl, inspector, token }) => {
        const attempt = async (what: () => Promise<Response>) => {
          try {
            const response = await what();
            return response.type === 'opaque' ? 'opaque' : `status ${response.status}`;
          } catch (error) {
            return (error as Error).name;
          }
        };
        return {
          // Even knowing the token, the custom header needs a preflight, and the preflight is refused.
          corsWithToken: await attempt(() =>
            fetch(replayUrl, { method: 'POST', headers: { 'X-Whcli-Token': token, 'Content-Type': 'application/json' }, body: '{}' }),
          ),
          // A "simple" request goes out without a preflight but cannot carry the token header; it is
          // refused, and Cross-Origin-Resource-Policy keeps even the opaque answer from the page.
          noCors: await attempt(() => fetch(replayUrl, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}' })),
          // Reading the page (and the token in it) from here is blocked: no CORS headers.
          readPage: await attempt(() => fetch(`${inspector}/`)),
          readStream: await attempt(() => fetch(`${inspector}/api/stream?token=${token}`)),
        };
      },
      { replayUrl, inspector, token },
    );
    expect(outcomes).toEqual({ corsWithToken: 'TypeError', noCors: 'TypeError', readPage: 'TypeError', readStream: 'TypeError' });

    // A plain HTML form posted across origins.
    const formResponse = page.waitForResponse((response) => response.url() === replayUrl && response.request().method() === 'POST');
    await page.evaluate((replayUrl) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = replayUrl;
      form.enctype = 'text/plain';
      form.target = 'sink';
      const field = document.createElement('input');
      field.name = '{"body":"forged"}';
      form.append(field);
      document.body.append(form);
      form.submit();
    }, replayUrl);
    expect((await formResponse).status()).toBe(403);

    // The listener says what it refused (the browser hides refused preflights from the page).
    const refused = (method: string, reason: string) => `inspector: refused ${method} /api/exchanges/1/replay from ${evil}: ${reason}`;
    await listener.proc.waitForStderr(new RegExp(`(refused POST .*){2}`, 's'));
    expect(listener.proc.stderr.trim().split('\n')).toEqual([
      refused('OPTIONS', 'no cross-origin requests (CORS) here'),
      refused('POST', `origin "${evil}" may not act on this inspector`),
      refused('POST', `origin "${evil}" may not act on this inspector`),
    ]);
    // Nothing reached the handler but the original delivery, and the inspector logged no replay.
    expect(handler.requests).toHaveLength(1);
    expect(listener.proc.lines.filter((l) => l.type === 'replay')).toEqual([]);
    const detail = await fetch(`${inspector}/api/exchanges/2`, { headers: { 'x-whcli-token': token } });
    expect(detail.status).toBe(404);
  });
});
