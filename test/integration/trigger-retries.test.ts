/**
 * trigger --retries against a handler that fails and then recovers: the provider's schedule,
 * compressed by --time-scale, the same event on every attempt and a fresh signature each time.
 */
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trigger, type TriggerAttempt } from '../../src/commands/trigger.js';
import { tempDir } from '../helpers/foundation-cli.js';
import { SECRETS, oracleAccepts } from '../helpers/foundation-oracles.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

let server: RecordingServer | undefined;
let home: { path: string; remove: () => void };
beforeEach(() => {
  home = tempDir();
});
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
  home.remove();
});

const environment = () => ({ cwd: home.path, env: { WHCLI_HOME: home.path } });
/** Answers 500 to the first `failures` requests, then 200. */
const failing = (failures: number) => (_: unknown, index: number) => (index < failures ? { status: 500, body: `down #${index + 1}` } : { status: 200, body: 'ok' });

describe('--retries', () => {
  it('hackmamba: retries at 1m and 5m compressed 600x (0.1 s, 0.5 s) until the handler recovers', async () => {
    server = await startRecordingServer(failing(2));
    const seen: [TriggerAttempt, number | undefined][] = [];
    const started = performance.now();
    const result = await trigger(
      { event: 'payment.succeeded', provider: 'hackmamba', forward: server.url, secret: SECRETS.hackmamba, retries: true, timeScale: '600' },
      { environment: environment(), onAttempt: (attempt, next) => seen.push([attempt, next]) },
    );
    const elapsed = performance.now() - started;

    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => [a.attempt, a.waitedMs, a.result.status])).toEqual([
      [1, 0, 500],
      [2, 100, 500],
      [3, 500, 200],
    ]);
    expect(seen.map(([a, next]) => [a.attempt, next])).toEqual([
      [1, 100],
      [2, 500],
      [3, undefined],
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(server.requests).toHaveLength(3);

    // The same event every time: same id, same bytes, each one signed as the doc verifies.
    for (const request of server.requests) {
      expect(request.body.equals(server.requests[0]!.body)).toBe(true);
      expect(JSON.parse(request.body.toString('utf8')).id).toBe(result.eventId);
      expect(await oracleAccepts('hackmamba', SECRETS.hackmamba!, request.body, request.headers)).toBe(true);
    }
    // Real waits between arrivals, as scheduled (timers may fire a little early, never much).
    expect(server.requests[1]!.receivedAtMs - server.requests[0]!.receivedAtMs).toBeGreaterThanOrEqual(90);
    expect(server.requests[2]!.receivedAtMs - server.requests[1]!.receivedAtMs).toBeGreaterThanOrEqual(490);
  });

  it('gives up after the schedule is used up, reporting every attempt', async () => {
    server = await startRecordingServer(failing(Infinity));
    const result = await trigger(
      { event: 'user.created', provider: 'hackmamba', forward: server.url, secret: SECRETS.hackmamba, retries: true, timeScale: '60000' },
      { environment: environment() },
    );
    expect(result.ok).toBe(false);
    expect(result.attempts.map((a) => a.waitedMs)).toEqual([0, 1, 5, 15]);
    expect(server.requests).toHaveLength(4);
  });

  it('lava: delivered once, so --retries sends exactly one attempt', async () => {
    server = await startRecordingServer(failing(Infinity));
    const result = await trigger(
      { event: 'customer.created', provider: 'lava', forward: server.url, secret: SECRETS.lava, retries: true, timeScale: '600' },
      { environment: environment() },
    );
    expect(result.ok).toBe(false);
    expect(result.attempts).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
  });

  it('without --retries a failure is final', async () => {
    server = await startRecordingServer(failing(1));
    const result = await trigger({ event: 'user.created', provider: 'hackmamba', forward: server.url, secret: SECRETS.hackmamba }, { environment: environment() });
    expect(result.ok).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('lahza: 3 minutes apart for the first 4 tries, then hourly; test mode hourly', async () => {
    server = await startRecordingServer(failing(5));
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    const live = await trigger(
      { event: 'charge.success', provider: 'lahza', forward: server.url, secret: SECRETS.lahza, retries: true, timeScale: '60' },
      { environment: environment(), sleep },
    );
    expect(live.ok).toBe(true);
    expect(live.attempts.map((a) => a.waitedMs)).toEqual([0, 3_000, 3_000, 3_000, 60_000, 60_000]);
    expect(slept).toEqual([3_000, 3_000, 3_000, 60_000, 60_000]);

    slept.length = 0;
    await server.close();
    server = await startRecordingServer(failing(2));
    const test = await trigger(
      { event: 'charge.success', provider: 'lahza', forward: server.url, secret: SECRETS.lahza, retries: true, retryMode: 'test', timeScale: '3600' },
      { environment: environment(), sleep },
    );
    expect(test.attempts.map((a) => a.waitedMs)).toEqual([0, 1_000, 1_000]);
  });

  it('stripe: same event id on every attempt, a fresh t= each time', async () => {
    // The clock jumps by each real (unscaled) delay, so the retries carry hours-later timestamps
    // without the test waiting for them.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2025, 5, 1, 12, 0, 0));
    server = await startRecordingServer(failing(2));
    const sleep = async (ms: number) => void vi.setSystemTime(Date.now() + ms);
    const result = await trigger(
      { event: 'invoice.paid', provider: 'stripe', forward: server.url, secret: SECRETS.stripe, retries: true },
      { environment: environment(), sleep },
    );
    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.waitedMs)).toEqual([0, 3_600_000, 7_200_000]);

    const stamps: number[] = [];
    for (const request of server.requests) {
      const header = String(request.headers['stripe-signature']);
      stamps.push(Number(/t=(\d+)/.exec(header)![1]));
      // Stripe's own library, at the moment the attempt arrived.
      const event = Stripe.webhooks.constructEvent(request.body, header, SECRETS.stripe!, 300, undefined, request.receivedAtMs);
      expect(event.id).toBe(result.eventId);
      expect(request.body.equals(server.requests[0]!.body)).toBe(true);
    }
    const base = Date.UTC(2025, 5, 1, 12, 0, 0) / 1000;
    expect(stamps).toEqual([base, base + 3_600, base + 3_600 + 7_200]);
    expect(result.headers['Stripe-Signature']).toContain(`t=${base + 10_800},`);
  });

  it.each(['0', '-5', 'fast'])('rejects --time-scale %j', async (timeScale) => {
    await expect(
      trigger({ event: 'push', forward: 'http://127.0.0.1:9', secret: 's', retries: true, timeScale }, { environment: environment() }),
    ).rejects.toThrow(`--time-scale must be a positive number, got "${timeScale}"`);
  });
});
