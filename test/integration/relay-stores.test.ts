import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAllHandlers, startHandler, type ReceivedRequest } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { freePort, redisAvailable, startRedis, type RedisServer } from '../helpers/redis-server.js';

const EVENTS = 1000;

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

/**
 * POSTs events n = from..to-1 to an ingress URL, `concurrency` at a time; returns the n's answered
 * 200, in the order the relay sequenced them.
 */
async function postEvents(url: string, from: number, to: number, concurrency = 16): Promise<number[]> {
  const accepted: { n: number; seq: number }[] = [];
  let next = from;
  const worker = async () => {
    while (next < to) {
      const n = next++;
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"n":${n}}` });
        const answer = (await response.json()) as { seq: number };
        if (response.status === 200) accepted.push({ n, seq: answer.seq });
      } catch {
        // The relay died under this request: it was not answered 200, so it may be lost.
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return accepted.sort((a, b) => a.seq - b.seq).map(({ n }) => n);
}

const numbers = (requests: ReceivedRequest[]) => requests.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n);

describe('file store', () => {
  let storeDir: string;
  afterEach(() => rmSync(storeDir, { recursive: true, force: true }));

  it('delivers every accepted event after the relay is killed with SIGKILL and started again', async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'whcli-filestore-'));
    const home = await makeHome();
    const port = await freePort();
    const handler = await startHandler();
    // Unthrottled: this measures durability, and 1,000 events in a second is over the default rate limit.
    const store = ['--store', `file:${storeDir}`, '--rate-limit', '0'];
    let relay = await startRelayProcess(home, store, port);
    // The listener creates its channel, then goes away: the events wait in the relay.
    const first = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url, '--ordered']);
    await first.proc.kill('SIGKILL');

    const accepted = await postEvents(first.ready.url, 0, EVENTS);
    expect(accepted).toHaveLength(EVENTS);
    await relay.proc.kill('SIGKILL');

    relay = await startRelayProcess(home, store, port);
    await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url, '--ordered']);
    const received = await handler.waitForRequests(EVENTS, 30_000);
    expect(numbers(received)).toEqual(accepted);
  });
});

describe.runIf(redisAvailable())('redis store, two relays', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('delivers 1,000 events posted to relay A to a listener on relay B, in order, none twice', async () => {
    const home = await makeHome();
    const handler = await startHandler();
    const store = ['--store', redis.url, '--rate-limit', '0'];
    const a = await startRelayProcess(home, store);
    const b = await startRelayProcess(home, store);
    const listener = await startListenerProcess(home, ['--forward', handler.url, '--relay', b.url, '--ordered']);
    const ingressOnA = listener.ready.url.replace(b.url, a.url);

    const accepted = await postEvents(ingressOnA, 0, EVENTS);
    expect(accepted).toHaveLength(EVENTS);
    const received = await handler.waitForRequests(EVENTS, 30_000);
    expect(numbers(received)).toEqual(accepted);
    expect(received).toHaveLength(EVENTS);
  });

  it('still delivers every event relay A answered 200 when A is killed mid-stream', async () => {
    const home = await makeHome();
    const handler = await startHandler();
    const store = ['--store', redis.url, '--rate-limit', '0'];
    const a = await startRelayProcess(home, store);
    const b = await startRelayProcess(home, store);
    const listener = await startListenerProcess(home, ['--forward', handler.url, '--relay', b.url, '--ordered']);
    const ingressOnA = listener.ready.url.replace(b.url, a.url);

    const posting = postEvents(ingressOnA, 0, EVENTS, 4);
    await handler.waitForRequests(EVENTS / 10, 30_000);
    await a.proc.kill('SIGKILL');
    const accepted = await posting;
    expect(accepted.length).toBeGreaterThanOrEqual(EVENTS / 10);
    expect(accepted.length).toBeLessThan(EVENTS);

    await handler.waitForRequests(accepted.length, 30_000);
    const got = numbers(handler.requests);
    // Everything answered 200 arrived, in order; at most the requests in flight at the kill came too.
    expect(got.filter((n) => accepted.includes(n))).toEqual(accepted);
    expect(new Set(got).size).toBe(got.length);
    expect(got.length - accepted.length).toBeLessThanOrEqual(4);
  });
});
