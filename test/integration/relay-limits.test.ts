/**
 * The bounds of a public relay, on real `whcli relay` processes: bytes over all channels (503 +
 * Retry-After on every channel), channel creation (a cap and a rate per address), idle channels
 * deleted while a channel with a listener stays, 431 past 1,000 headers, sender paths that climb
 * out of the base in any spelling (400, nothing stored), and the Host check of the relay embedded
 * in `whcli listen` (421 for a rebinding name). See SECURITY.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startCli, startListenerProcess, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';
import { readMetrics, sendRaw, socketUrl } from '../helpers/relay-client.js';

afterEach(async () => {
  closeAllRawListeners();
  await stopAllProcesses();
  await closeAllHandlers();
});

async function createChannel(relay: RelayProcess): Promise<{ id: string; token: string; url: string }> {
  const response = await fetch(`${relay.url}/api/channels`, { method: 'POST' });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string; url: string };
}

/** Short headers, so many of them stay well within Node's 16 KiB header size limit. */
const manyHeaders = (count: number): [string, string][] => Array.from({ length: count }, (_, i) => [`X${i}`, '1']);

describe('whcli relay bounds', () => {
  it('answers 503 + Retry-After on every channel once all channels hold --max-total-bytes', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--store', 'memory', '--rate-limit', '0', '--max-total-bytes', '64kb']);
    const [a, b] = [await createChannel(relay), await createChannel(relay)];
    const body = Buffer.alloc(8 * 1024, 0x61);
    let accepted = 0;
    let refused;
    for (let i = 0; i < 20 && !refused; i++) {
      const answer = await sendRaw(a.url, { body });
      if (answer.status === 200) accepted += 1;
      else refused = answer;
    }
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(8);
    expect(refused?.status).toBe(503);
    expect(refused?.headers['retry-after']).toBeDefined();
    // The other channel is refused as well: the bound is the process's, not the channel's.
    const other = await sendRaw(b.url, { body });
    expect(other.status).toBe(503);
    expect(JSON.parse(other.body.toString()).error).toMatch(/maximum of 65536 bytes/);
    expect((await readMetrics(relay.url))['whcli_relay_ingress_rejected_total{reason="relayFull"}']).toBeGreaterThanOrEqual(2);
    // A listener that acknowledges frees the room.
    const listener = new RawListener(socketUrl(relay.url, a.id), a.token, { autoAck: true });
    await listener.hello();
    await listener.waitForEvents(accepted);
    let status = 0;
    while (status !== 200) status = (await sendRaw(b.url, { body })).status;
  });

  it('caps channels (--max-channels, 503) and creations per address (--channel-rate, 429)', async () => {
    const capped = await startRelayProcess(await makeHome(), ['--store', 'memory', '--max-channels', '2']);
    await createChannel(capped);
    await createChannel(capped);
    const full = await fetch(`${capped.url}/api/channels`, { method: 'POST' });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBeTruthy();

    const limited = await startRelayProcess(await makeHome(), ['--store', 'memory', '--channel-rate', '1/m']);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${limited.url}/api/channels`, { method: 'POST' })).status);
    // A minute's worth at once, at least 10; then 429 with Retry-After.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await readMetrics(limited.url)).whcli_relay_channels_refused_total).toBe(2);
  });

  it('deletes an idle channel (--channel-idle) and keeps one a listener holds', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--store', 'memory', '--channel-idle', '1s']);
    const [idle, held] = [await createChannel(relay), await createChannel(relay)];
    const listener = new RawListener(socketUrl(relay.url, held.id), held.token, { autoAck: true });
    await listener.hello();
    // Watched through /metrics: a request to the idle channel would be activity and keep it.
    while ((await readMetrics(relay.url)).whcli_relay_channels_expired_total !== 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await sendRaw(idle.url, { body: '{}' })).status).toBe(404);
    expect((await sendRaw(held.url, { body: '{}' })).status).toBe(200);
    await listener.waitForEvents(1);
  });

  it('refuses more than 1,000 headers with 431, on ingress and on the upgrade; 1,000 pass', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--store', 'memory', '--rate-limit', '0']);
    const channel = await createChannel(relay);
    const listener = new RawListener(socketUrl(relay.url, channel.id), channel.token, { autoAck: true });
    await listener.hello();
    const refused = await sendRaw(channel.url, { headers: manyHeaders(1_200), body: '{}' });
    expect(refused.status).toBe(431);
    expect(JSON.parse(refused.body.toString()).error).toBe('more than 1000 headers');
    const fine = await sendRaw(channel.url, { headers: manyHeaders(997), body: '{}' });
    expect(fine.status).toBe(200);
    await listener.waitForEvents(1);
    expect(listener.events[0]!.headers.length).toBe(1_000); // Host, the 997, Content-Length... all kept
    const upgrade = await sendRaw(socketUrl(relay.url, channel.id).replace(/^ws/, 'http'), {
      method: 'GET',
      headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13'], ...manyHeaders(1_200)],
    }).catch((error: Error) => ({ status: -1, error }));
    expect(upgrade.status).toBe(431);
  });

  it.each(['/..\\admin', '/..%5Cadmin', '/..%5cadmin', '/a/..\\..%5Cadmin', '/%2e%2e%5cadmin', '/..%2fadmin'])('refuses the sender path %s with 400 and stores nothing', async (suffix) => {
    const relay = await startRelayProcess(await makeHome(), ['--store', 'memory', '--rate-limit', '0']);
    const channel = await createChannel(relay);
    expect((await sendRaw(`${channel.url}${suffix}`, { body: '{}' })).status).toBe(400);
    expect((await readMetrics(relay.url)).whcli_relay_events_stored).toBe(0);
  });
});

describe('the bound flags', () => {
  it.each([
    ['--max-total-bytes', 'lots', /^whcli: invalid --max-total-bytes "lots": use e\.g\. 512kb, 5mb\n$/],
    ['--max-channel-bytes', '-1', /^whcli: invalid --max-channel-bytes "-1"/],
    ['--channel-idle', 'forever', /^whcli: invalid --channel-idle "forever"/],
    ['--channel-rate', 'fast', /^whcli: invalid --channel-rate "fast"/],
    ['--max-channels', '1.5', /^whcli: --max-channels must be a whole number/],
  ])('refuses %s %s in one line, exit 2', async (flag, value, message) => {
    const run = await runCli(['relay', '--port', '0', '--store', 'memory', flag, value], await makeHome());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('takes the bounds from WHCLI_RELAY_* when no flag is given', async () => {
    const proc = startCli(['relay', '--port', '0', '--json', '--store', 'memory'], await makeHome(), { WHCLI_RELAY_MAX_CHANNELS: '1' });
    const line = await proc.waitForLine((l) => l.type === 'listening', 'the relay to listen');
    expect((await fetch(`${line.url}/api/channels`, { method: 'POST' })).status).toBe(201);
    expect((await fetch(`${line.url}/api/channels`, { method: 'POST' })).status).toBe(503);
  });
});

describe('the relay embedded in whcli listen', () => {
  it('answers only loopback names in Host: a rebinding page gets 421', async () => {
    const handler = await startHandler();
    const home = await makeHome();
    const { ready } = await startListenerProcess(home, ['--forward', handler.url, '--port', '0']);
    const url = new URL(String(ready.url));
    const evil = await sendRaw(url.toString(), { headers: [['Host', `rebind.example:${url.port}`]], body: '{}' });
    expect(evil.status).toBe(421);
    for (const name of ['localhost', '127.0.0.1']) {
      expect((await sendRaw(url.toString(), { headers: [['Host', `${name}:${url.port}`]], body: '{}' })).status).toBe(200);
    }
    const upgrade = await sendRaw(`${url.origin}/ws/${url.pathname.split('/')[2]}`, {
      method: 'GET',
      headers: [['Host', `rebind.example:${url.port}`], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13']],
    });
    expect(upgrade.status).toBe(421);
  });
});
