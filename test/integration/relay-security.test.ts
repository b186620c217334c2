/**
 * The relay's defences, against real `whcli relay` processes: the per-channel ingress rate limit (on by
 * default, 429 + Retry-After, one channel's flood leaving the others alone, off with --rate-limit 0 and
 * absent from the relay embedded in `whcli listen`), the cap on listeners per channel (429 on the
 * upgrade, with a reason), and the 256 KiB limit on a listener's messages. See SECURITY.md.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { readMetrics, sendRaw, socketUrl, waitForMetrics } from '../helpers/relay-client.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';

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

/**
 * The status the relay answers a POST of `size` bytes with, over a raw socket: it may answer and close
 * before the body is all written, which a regular client reports as a write error.
 */
async function statusOfLargePost(url: string, size: number): Promise<number | undefined> {
  const target = new URL(url);
  const head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: ${size}\r\n\r\n`;
  return (await rawExchange(url, Buffer.concat([Buffer.from(head), Buffer.alloc(size, 0x61)]))).status;
}

/** Writes raw bytes to the relay of `url` and reads the answer until it closes the connection. */
function rawExchange(url: string, bytes: Buffer): Promise<{ status?: number; head: string; body: string }> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(target.port), target.hostname);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]) || undefined, head: text.slice(0, split), body: text.slice(split + 4) });
    });
    socket.end(bytes);
  });
}

/** POSTs `count` events, `concurrency` at a time; the statuses in the order sent. */
async function burst(url: string, count: number, concurrency = 16): Promise<number[]> {
  const statuses: number[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const response = await fetch(url, { method: 'POST', body: `{"n":${n}}` });
      await response.arrayBuffer();
      statuses[n] = response.status;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

describe('the ingress rate limit', () => {
  it('answers 429 with Retry-After past the burst, per channel, before reading the body', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--rate-limit', '1/s', '--rate-burst', '3']);
    const [a, b] = [await createChannel(relay), await createChannel(relay)];

    expect(await burst(a.url, 3, 1)).toEqual([200, 200, 200]);
    const limited = await sendRaw(a.url, { body: '{"n":4}' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(limited.body.toString())).toMatchObject({ error: 'channel over its rate limit of 1/s', retryAfter: expect.any(Number) });
    // A body far over --max-body is refused for the rate, unread (no 413, nothing stored).
    expect(await statusOfLargePost(a.url, 6 * 1024 * 1024)).toBe(429);

    // The other channel has its own bucket.
    expect(await burst(b.url, 3, 1)).toEqual([200, 200, 200]);
    const metrics = await readMetrics(relay.url);
    expect(metrics['whcli_relay_ingress_rejected_total{reason="rateLimited"}']).toBe(2);
    expect(metrics.whcli_relay_events_received_total).toBe(6);

    // Tokens come back at the rate: within Retry-After, channel A is let through again. A bounded
    // poll: a token's return is not an event anything emits.
    const deadline = Date.now() + 3_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await sendRaw(a.url, { body: '{"n":5}' })).status;
    }
    expect(status).toBe(200);
  });

  it('is on by default in `whcli relay` (100/s, burst 200)', async () => {
    const relay = await startRelayProcess(await makeHome());
    const channel = await createChannel(relay);
    const started = Date.now();
    // On a loaded machine 600 requests can take longer than the rate needs to refill the burst, and
    // none is refused: send more until one is, bounded, instead of depending on the sender's speed.
    const statuses: number[] = [];
    while (!statuses.includes(429) && statuses.length < 6000) statuses.push(...(await burst(channel.url, 600, 32)));
    const seconds = (Date.now() - started) / 1000;
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // Never more than the burst plus what the rate refilled meanwhile.
    expect(ok).toBeLessThanOrEqual(200 + Math.ceil(100 * seconds) + 1);
    expect(ok).toBeGreaterThanOrEqual(200);
  });

  it('is off with --rate-limit 0, and absent from the relay embedded in `whcli listen`', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--rate-limit', '0']);
    const channel = await createChannel(relay);
    expect(new Set(await burst(channel.url, 400, 32))).toEqual(new Set([200]));

    const handler = await startHandler();
    const listener = await startListenerProcess(await makeHome(), ['--port', '0', '--forward', handler.url, '--no-history']);
    expect(new Set(await burst(listener.ready.url, 400, 32))).toEqual(new Set([200]));
    await handler.waitForRequests(400);
  });

  it.each([
    [['--rate-limit', 'fast'], /invalid --rate-limit "fast"/],
    [['--rate-limit', '0', '--rate-burst', '10'], /--rate-burst needs a --rate-limit other than 0/],
    [['--rate-burst', '0'], /--rate-burst must be a positive whole number/],
    [['--max-listeners', '-1'], /--max-listeners must be a whole number/],
  ])('refuses %j with a usage error', async (args, message) => {
    const run = await runCli(['relay', '--port', '0', '--store', 'memory', ...args], await makeHome());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('the cap on listeners per channel', () => {
  it('refuses one more upgrade with 429, a reason and Retry-After, and admits one again when a listener leaves', async () => {
    const relay = await startRelayProcess(await makeHome(), ['--max-listeners', '2']);
    const [channel, other] = [await createChannel(relay), await createChannel(relay)];
    const url = socketUrl(relay.url, channel.id);
    const first = new RawListener(url, channel.token);
    const second = new RawListener(url, channel.token);
    await Promise.all([first.hello(), second.hello()]);

    const third = new RawListener(url, channel.token);
    await third.waitFor(() => third.refusedWith !== undefined, 'the refusal');
    expect(third.refusedWith).toBe(429);
    // The same refusal read off the wire: its status line, Retry-After and the reason in the body.
    const upgrade = [
      `GET /ws/${channel.id} HTTP/1.1`,
      `Host: 127.0.0.1:${relay.port}`,
      `Authorization: Bearer ${channel.token}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ];
    const refusal = await rawExchange(relay.url, Buffer.from(`${upgrade.join('\r\n')}\r\n\r\n`));
    expect(refusal.head).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(refusal.head).toMatch(/\r\nRetry-After: 30\r\n/i);
    expect(JSON.parse(refusal.body)).toEqual({ error: 'channel already has its maximum of 2 listeners' });
    // Another channel is not affected by this one's cap.
    await new RawListener(socketUrl(relay.url, other.id), other.token).hello();

    first.terminate();
    await first.closed;
    await new RawListener(url, channel.token).hello();
    const metrics = await readMetrics(relay.url);
    expect(metrics.whcli_relay_listeners_refused_total).toBe(2);
    expect(metrics.whcli_relay_listeners).toBe(3);
  });

  it('a `whcli listen` over the cap reports the refusal and keeps retrying', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home, ['--max-listeners', '1']);
    const handler = await startHandler();
    await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url, '--no-history']);
    const extra = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url, '--no-history'], false);
    const status = await extra.proc.waitForLine((l) => l.type === 'status' && l.status === 'disconnected', 'the refusal to be reported');
    expect(status.reason).toMatch(/429/);
    expect(extra.proc.alive).toBe(true);
  });
});

describe('the limit on listener messages', () => {
  it('closes a socket that sends more than 256 KiB with 1009 and a reason; others are unaffected', async () => {
    const relay = await startRelayProcess(await makeHome());
    const channel = await createChannel(relay);
    const url = socketUrl(relay.url, channel.id);
    const bystander = new RawListener(url, channel.token, { autoAck: true });
    await bystander.hello();

    const big = new RawListener(url, channel.token);
    await big.hello();
    big.send(`{"type":"ack","seq":1,"report":{"ok":true,"body":"${'x'.repeat(300 * 1024)}"}}`);
    expect(await big.closed).toEqual({ code: 1009, reason: 'message larger than 262144 bytes' });
    expect(big.texts.at(-1)).toEqual({ type: 'error', code: 'WHCLI_ERR_PROTOCOL', message: 'message larger than 262144 bytes' });

    // Past 1 MiB ws refuses the frame from its header, before buffering it.
    const huge = new RawListener(url, channel.token);
    await huge.hello();
    huge.send('x'.repeat(2 * 1024 * 1024));
    expect((await huge.closed).code).toBe(1009);

    expect((await fetch(channel.url, { method: 'POST', body: '{"after":true}' })).status).toBe(200);
    await bystander.waitForEvents(1);
    expect(bystander.closeInfo).toBeUndefined();
    // The relay counts a closed socket out when its TCP close arrives, after the client saw the close frame.
    const metrics = await waitForMetrics(relay.url, (m) => m.whcli_relay_listeners === 1, 'the closed listeners to be counted out');
    expect(metrics.whcli_relay_protocol_errors_total).toBe(2);
  });
});
