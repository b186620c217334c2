/**
 * Retry signals as providers send and honour them, against real loopback handlers: Slack's
 * X-Slack-Retry-Num / X-Slack-Retry-Reason on each retry and X-Slack-No-Retry: 1 ending them,
 * Svix's webhook-delivery: abort-message, and every provider's retry modes in `providers --json`.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../helpers/close-server.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trigger } from '../../src/commands/trigger.js';
import { runCli, tempDir } from '../helpers/foundation-cli.js';
import { SECRETS, oracleAccepts } from '../helpers/foundation-oracles.js';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Never answer (the request times out). */
  hang?: boolean;
}

let server: Server | undefined;
let home: { path: string; remove: () => void };
beforeEach(() => {
  home = tempDir();
});
afterEach(async () => {
  home.remove();
  await closeServer(server);
  server = undefined;
});

const environment = () => ({ cwd: home.path, env: { WHCLI_HOME: home.path } });

/** A handler answering the n-th request with answers[n] (the last one after that); records what it got. */
async function startHandler(answers: Answer[]): Promise<{ url: string; received: { headers: IncomingHttpHeaders; body: Buffer }[] }> {
  const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = received.push({ headers: req.headers, body: Buffer.concat(chunks) }) - 1;
      const answer = answers[Math.min(index, answers.length - 1)]!;
      if (answer.hang) return;
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, received };
}

describe('Slack retry signals', () => {
  it('numbers each retry and gives its reason; X-Slack-No-Retry: 1 ends the retries', async () => {
    const handler = await startHandler([{ status: 500 }, { status: 503 }, { status: 500, headers: { 'X-Slack-No-Retry': '1' } }, { status: 200 }]);
    const result = await trigger(
      { event: 'app_mention', provider: 'slack', forward: handler.url, secret: SECRETS.slack, retries: true, timeScale: '600' },
      { environment: environment() },
    );
    // Slack has three retries; the third attempt's answer stopped the fourth.
    expect(result.attempts.map((a) => a.result.status)).toEqual([500, 503, 500]);
    expect(result.ok).toBe(false);
    expect(result.stoppedBy).toBe('X-Slack-No-Retry: 1');
    expect(handler.received).toHaveLength(3);
    const [first, second, third] = handler.received.map((r) => r.headers);
    expect(first!['x-slack-retry-num']).toBeUndefined();
    expect(first!['x-slack-retry-reason']).toBeUndefined();
    expect([second!['x-slack-retry-num'], second!['x-slack-retry-reason']]).toEqual(['1', 'http_error']);
    expect([third!['x-slack-retry-num'], third!['x-slack-retry-reason']]).toEqual(['2', 'http_error']);
    // Every attempt is still a genuine Slack request.
    for (const { body, headers } of handler.received) expect(await oracleAccepts('slack', SECRETS.slack!, body, headers)).toBe(true);
  });

  it('says http_timeout after an attempt that got no answer in time', async () => {
    const handler = await startHandler([{ status: 0, hang: true }, { status: 200 }]);
    const result = await trigger(
      { event: 'app_mention', provider: 'slack', forward: handler.url, secret: SECRETS.slack, retries: true, timeScale: '600', timeout: '300ms' },
      { environment: environment() },
    );
    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.result.error?.kind ?? a.result.status)).toEqual(['timeout', 200]);
    expect(handler.received[1]!.headers['x-slack-retry-num']).toBe('1');
    expect(handler.received[1]!.headers['x-slack-retry-reason']).toBe('http_timeout');
  });

  it('the CLI names the stop signal in its one error line', async () => {
    const handler = await startHandler([{ status: 500, headers: { 'X-Slack-No-Retry': '1' } }]);
    const run = await runCli(['trigger', 'app_mention', '-p', 'slack', '-f', handler.url, '-s', SECRETS.slack!, '--retries', '--time-scale', '600']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^whcli: .*500 with X-Slack-No-Retry: 1: slack would not retry it/);
    expect(handler.received).toHaveLength(1);
  });
});

describe('Svix / Standard Webhooks delivery control', () => {
  it('webhook-delivery: abort-message stops the retries of that message', async () => {
    const handler = await startHandler([{ status: 500 }, { status: 500, headers: { 'webhook-delivery': 'abort-message' } }, { status: 200 }]);
    const result = await trigger(
      { event: 'invoice.paid', provider: 'standard-webhooks', forward: handler.url, secret: SECRETS['standard-webhooks'], retries: true, timeScale: '10000' },
      { environment: environment() },
    );
    expect(result.attempts.map((a) => a.result.status)).toEqual([500, 500]);
    expect(result.stoppedBy).toBe('webhook-delivery: abort-message');
    expect(handler.received).toHaveLength(2);
    // Svix marks no retry in headers: both attempts carry the same message id.
    expect(handler.received[1]!.headers['webhook-id']).toBe(handler.received[0]!.headers['webhook-id']);
  });

  it('the same header on a provider that does not honour it changes nothing', async () => {
    const handler = await startHandler([{ status: 500, headers: { 'webhook-delivery': 'abort-message', 'X-Slack-No-Retry': '1' } }, { status: 200 }]);
    const result = await trigger(
      { event: 'payment.succeeded', provider: 'hackmamba', forward: handler.url, secret: SECRETS.hackmamba, retries: true, timeScale: '600' },
      { environment: environment() },
    );
    expect(result.ok).toBe(true);
    expect(result.stoppedBy).toBeUndefined();
    expect(handler.received).toHaveLength(2);
  });
});

describe('retry modes', () => {
  it('providers --json lists every mode, the test modes of Lahza and Paystack included', async () => {
    const run = await runCli(['providers', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const providers = JSON.parse(run.stdout) as { name: string; retryModes: Record<string, unknown[]>; retrySignals: object }[];
    const byName = new Map(providers.map((p) => [p.name, p]));
    for (const name of ['lahza', 'paystack']) {
      expect(byName.get(name)!.retryModes.test).toEqual([{ delay: '1h', count: 72 }]);
      expect(byName.get(name)!.retryModes.live).toEqual([{ delay: '3m', count: 3 }, { delay: '1h', count: 72 }]);
    }
    for (const provider of providers) expect(Object.keys(provider.retryModes)[0]).toBe('live');
    expect(byName.get('slack')!.retrySignals).toMatchObject({ stopOn: [{ header: 'X-Slack-No-Retry', value: '1' }] });
  });

  it('the providers table shows the test modes', async () => {
    const run = await runCli(['providers']);
    expect(run.code, run.stderr).toBe(0);
    for (const name of ['lahza', 'paystack']) expect(run.stdout).toMatch(new RegExp(`^${name} .*75: 3m x3, 1h x72; test 72: 1h x72`, 'm'));
  });
});

describe('retry signals from the config file', () => {
  it('a provider of your own stops on the status and marks retries with the headers it declares', async () => {
    const handler = await startHandler([{ status: 500 }, { status: 410 }, { status: 200 }]);
    writeFileSync(
      join(home.path, 'whcli.config.json'),
      JSON.stringify({
        providers: [
          {
            name: 'acme',
            scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Acme-Signature' },
            events: ['order.paid'],
            fixturesDir: '.',
            retries: [{ delay: '1m', count: 3 }],
            retrySignals: { headers: { 'X-Acme-Retry': '{{retry_num}} {{retry_reason}}' }, stopOn: [{ status: 410 }] },
          },
        ],
      }),
    );
    writeFileSync(join(home.path, 'order.paid.json'), JSON.stringify({ id: 'ord_1' }));
    const run = await runCli(['trigger', 'order.paid', '-p', 'acme', '-f', handler.url, '-s', 'k', '--retries', '--time-scale', '6000'], { cwd: home.path });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/410 with status 410: acme would not retry it/);
    expect(handler.received.map((r) => r.headers['x-acme-retry'])).toEqual([undefined, '1 http_error']);
  });
});
