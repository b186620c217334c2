/**
 * A handler that refuses connections or hangs is a failed,
 * acknowledged delivery (not a crash); an unreachable relay is reported and retried until it comes up;
 * a relay that goes away and comes back is reconnected to; a wrong token and an invalid forward URL
 * stop the listener with one clear line.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { deliveries, makeHome, runCli, startCli, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { postEvent, reservePort, waitForMetrics } from '../helpers/relay-client.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

describe('whcli listen when the handler fails', () => {
  it('reports a refused connection as a failed delivery, acknowledges it, and keeps running', async () => {
    const port = await reservePort();
    const listener = await startListenerProcess(await makeHome(), ['--port', '0', '--forward', `http://127.0.0.1:${port}/hooks`]);

    await postEvent(listener.ready.url, '{"id":"evt_refused"}');
    const failed = await listener.proc.waitForLine((l) => l.type === 'delivery', 'the failed delivery');
    expect(failed.report).toMatchObject({ ok: false, error: { kind: 'refused', message: expect.stringContaining('refused') } });
    // Acknowledged: the relay holds nothing pending, so it will not be resent forever.
    await waitForMetrics(listener.ready.relay, (m) => m.whcli_relay_events_pending === 0 && m.whcli_relay_events_delivered_total === 1, 'the failed delivery to be acknowledged');
    expect(listener.proc.alive).toBe(true);

    // The handler comes up: the next event goes through on the same listener.
    const handler = await startHandler(undefined, port);
    await postEvent(listener.ready.url, '{"id":"evt_ok"}');
    await handler.waitForRequests(1);
    const ok = await listener.proc.waitFor(() => deliveries(listener.proc)[1], 'the second delivery');
    expect(ok.report).toMatchObject({ ok: true, status: 200 });
    expect(handler.requests.map((r) => r.body.toString())).toEqual(['{"id":"evt_ok"}']);
  });

  it('reports a handler that does not answer within --timeout as a timeout and moves on', async () => {
    const handler = await startHandler((req) => (req.body.toString().includes('slow') ? { status: 200, hang: true } : { status: 200, body: 'ok' }));
    const listener = await startListenerProcess(await makeHome(), ['--port', '0', '--forward', handler.url, '--timeout', '300ms', '--ordered']);

    await postEvent(listener.ready.url, '{"id":"evt_slow"}');
    await postEvent(listener.ready.url, '{"id":"evt_fast"}');
    const lines = await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 2 ? deliveries(listener.proc) : undefined), 'two deliveries');
    expect(lines[0]!.report).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(lines[1]!.report).toMatchObject({ ok: true, status: 200 });
    expect(listener.proc.alive).toBe(true);
  });
});

describe('whcli listen when the relay is unreachable', () => {
  it('says so, keeps retrying, and connects once the relay starts', async () => {
    const home = await makeHome();
    const port = await reservePort();
    const handler = await startHandler();
    const listener = startCli(['listen', '--json', '--forward', handler.url, '--relay', `http://127.0.0.1:${port}`], home);

    await listener.waitForStderr(/relay http:\/\/127\.0\.0\.1:\d+ unreachable.*retrying in/);
    expect(listener.alive).toBe(true);
    expect(listener.lines).toEqual([]);

    const relay = await startRelayProcess(home, [], port);
    const ready = await listener.waitForLine((l) => l.type === 'ready', 'the ready line');
    await listener.waitForLine((l) => l.type === 'status' && l.status === 'ready', 'the connection');
    expect(ready.url).toMatch(new RegExp(`^${relay.url}/c/ch_`));
    await postEvent(ready.url as string, '{"id":"evt_after_start"}');
    await handler.waitForRequests(1);
  });

  it('reports a relay that went away, and resumes when it is back on the same port', async () => {
    const home = await makeHome();
    const port = await reservePort();
    const handler = await startHandler();
    let relay = await startRelayProcess(home, [], port);
    const listener = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url]);
    await postEvent(listener.ready.url, '{"n":1}');
    await handler.waitForRequests(1);
    await waitForMetrics(relay.url, (m) => m.whcli_relay_events_pending === 0, 'the first event to be acknowledged');

    await relay.proc.kill('SIGKILL');
    const lost = await listener.proc.waitForLine((l) => l.type === 'status' && l.status === 'disconnected', 'the disconnect status');
    expect(lost).toMatchObject({ reason: expect.any(String), retryInMs: expect.any(Number) });
    await listener.proc.waitForLine((l) => l.type === 'status' && l.status === 'disconnected' && /unreachable/.test(l.reason as string), 'an unreachable status');

    // Same WHCLI_HOME: the relay's file store still knows the channel.
    relay = await startRelayProcess(home, [], port);
    const readiesBefore = listener.proc.lines.filter((l) => l.type === 'status' && l.status === 'ready').length;
    await listener.proc.waitFor(() => (listener.proc.lines.filter((l) => l.type === 'status' && l.status === 'ready').length > readiesBefore ? true : undefined), 'the reconnection');
    await postEvent(listener.ready.url, '{"n":2}');
    await handler.waitForRequests(2);
    expect(handler.requests.map((r) => r.body.toString())).toEqual(['{"n":1}', '{"n":2}']);
  });
});

describe('whcli listen with bad input', () => {
  it('stops with one clear line when the relay refuses its token', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home);
    const handler = await startHandler();
    const first = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url]);
    await first.proc.kill('SIGKILL');
    const file = join(home, 'config', 'channels.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, { token: string }>;
    for (const entry of Object.values(saved)) entry.token = 'wht_not_the_right_token';
    await writeFile(file, JSON.stringify(saved));

    const run = await runCli(['listen', '--json', '--forward', handler.url, '--relay', relay.url], home);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('whcli: relay refused the listener: invalid token (HTTP 401)');
  });

  it('refuses an invalid --forward URL with a usage error', async () => {
    const run = await runCli(['listen', '--port', '0', '--forward', 'ftp://example.com/hooks'], await makeHome());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^whcli: invalid --forward "ftp:\/\/example.com\/hooks"/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
