/**
 * `whcli trigger` through the real CLI (node bin/whcli.js, a subprocess) for a handful of events:
 * what the handler receives is byte for byte what --json / --dry-run report, and verifies with
 * the provider's own oracle. The every-event loop runs in-process in trigger-every-event.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../helpers/foundation-cli.js';
import { SECRETS, oracleAccepts } from '../helpers/foundation-oracles.js';
import { startRecordingServer, type RecordingServer, type Responder } from '../helpers/foundation-server.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const start = async (respond?: Responder) => (server = await startRecordingServer(respond));

interface JsonResult {
  provider: string;
  event: string;
  eventId: string;
  url: string;
  via: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  attempts: { attempt: number; waitedMs: number; result: { ok: boolean; status?: number; durationMs: number; body?: string; error?: { kind: string; message: string } } }[];
  ok: boolean;
}

describe('whcli trigger (subprocess)', () => {
  beforeEach(async () => {
    await start();
  });

  it.each([
    ['stripe', 'invoice.paid'],
    ['github', 'pull_request.opened'],
    ['standard-webhooks', 'subscription.created'],
    ['slack', 'reaction_added'],
    ['lahza', 'charge.success'],
    ['lehjah', 'RECORD_CREATED'],
  ])('%s %s --json: the handler gets the reported bytes, signed', async (provider, event) => {
    const secret = SECRETS[provider]!;
    const run = await runCli(['trigger', event, '--provider', provider, '--forward', `${server!.url}/hooks`, '--secret', secret, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as JsonResult;
    expect(result).toMatchObject({ provider, event, url: `${server!.url}/hooks`, via: 'forward', method: 'POST', ok: true });
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ attempt: 1, waitedMs: 0, result: { ok: true, status: 200, body: 'ok' } });
    expect(typeof result.attempts[0]!.result.durationMs).toBe('number');

    expect(server!.requests).toHaveLength(1);
    const received = server!.requests[0]!;
    expect(received.url).toBe('/hooks');
    expect(received.body.equals(Buffer.from(result.body, 'utf8'))).toBe(true);
    expect(await oracleAccepts(provider, secret, received.body, received.headers)).toBe(true);
    for (const [name, value] of Object.entries(result.headers)) expect(received.headers[name.toLowerCase()]).toBe(value);
    if (provider === 'github') {
      expect(received.headers['x-github-event']).toBe('pull_request');
      expect(JSON.parse(result.body).action).toBe('opened');
    }
  });

  it('prints a status line for a human', async () => {
    const run = await runCli(['trigger', 'orders/create', '--provider', 'shopify', '--forward', String(server!.port), '--secret', SECRETS.shopify!]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^orders/create \\(shopify, [0-9a-f-]{36}\\) -> http://localhost:${server!.port}/$`));
    expect(lines[1]).toMatch(/^#1 200 \d+(\.\d)?ms {2}ok$/);
    expect(server!.requests[0]!.headers['x-shopify-topic']).toBe('orders/create');
    expect(await oracleAccepts('shopify', SECRETS.shopify!, server!.requests[0]!.body, server!.requests[0]!.headers)).toBe(true);
  });

  it('--dry-run prints the exact request, headers then body, and sends nothing', async () => {
    const secret = SECRETS.paystack!;
    const run = await runCli(['trigger', 'charge.success', '--provider', 'paystack', '--forward', `${server!.url}/ps`, '--secret', secret, '--dry-run', '--set', 'data.amount=100']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [head, ...rest] = run.stdout.split('\n\n');
    const [requestLine, ...headerLines] = head!.split('\n');
    expect(requestLine).toBe(`POST ${server!.url}/ps`);
    const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)]));
    const body = Buffer.from(rest.join('\n\n').replace(/\n$/, ''), 'utf8');
    expect(JSON.parse(body.toString('utf8'))).toMatchObject({ event: 'charge.success', data: { amount: 100 } });
    expect(headers['content-type']).toBe('application/json');
    expect(await oracleAccepts('paystack', secret, body, headers)).toBe(true);
    expect(server!.requests).toHaveLength(0);
  });

  it('--dry-run --json gives the same request as data', async () => {
    const secret = SECRETS.github!;
    const run = await runCli(['trigger', 'push', '--dry-run', '--json', '--secret', secret, '--header', 'X-Env: ci']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as JsonResult;
    expect(result).toMatchObject({ provider: 'github', event: 'push', via: 'dry-run', url: '(not sent)', attempts: [], ok: true });
    expect(result.headers['X-Env']).toBe('ci');
    const asReceived = Object.fromEntries(Object.entries(result.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(await oracleAccepts('github', secret, Buffer.from(result.body), asReceived)).toBe(true);
    expect(server!.requests).toHaveLength(0);
  });

  it('--set, --data and --header reach the handler, still signed', async () => {
    const secret = SECRETS.laabam!;
    const run = await runCli([
      'trigger', 'invoice.created', '--provider', 'laabam', '--forward', server!.url, '--secret', secret, '--json',
      '--data', '{"invoice_id":"inv_1","status":"draft","amount":1}',
      '--set', 'data.amount=100', '--set-new', 'data.final=false', '--set-new', 'data.lines=[{"sku":"A"}]', '--set-new', 'data.memo=thanks',
      '-H', 'X-Env: test',
    ]);
    expect(run.code).toBe(0);
    const received = server!.requests[0]!;
    expect(JSON.parse(received.body.toString('utf8'))).toEqual({
      type: 'invoice.created',
      data: { invoice_id: 'inv_1', status: 'draft', amount: 100, final: false, lines: [{ sku: 'A' }], memo: 'thanks' },
    });
    expect(received.headers['x-env']).toBe('test');
    expect(received.body.equals(Buffer.from((JSON.parse(run.stdout) as JsonResult).body))).toBe(true);
    expect(await oracleAccepts('laabam', secret, received.body, received.headers)).toBe(true);
  });
});

describe('whcli trigger --retries (subprocess)', () => {
  it('hackmamba --time-scale 600: fails twice, then succeeds on the third attempt, same event', async () => {
    await start((_, index) => (index < 2 ? { status: 503, body: 'warming up' } : { status: 200, body: 'ok' }));
    const args = ['trigger', 'project.created', '--provider', 'hackmamba', '--forward', server!.url, '--secret', SECRETS.hackmamba!, '--retries', '--time-scale', '600'];
    const run = await runCli([...args, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as JsonResult;
    expect(result.attempts.map((a) => [a.attempt, a.waitedMs, a.result.status])).toEqual([
      [1, 0, 503],
      [2, 100, 503],
      [3, 500, 200],
    ]);
    expect(server!.requests).toHaveLength(3);
    for (const request of server!.requests) {
      expect(JSON.parse(request.body.toString('utf8')).id).toBe(result.eventId);
      expect(await oracleAccepts('hackmamba', SECRETS.hackmamba!, request.body, request.headers)).toBe(true);
    }
  });

  it('shows each attempt and the wait before the next', async () => {
    await start((_, index) => (index < 1 ? { status: 500, body: 'nope' } : { status: 200, body: 'ok' }));
    const run = await runCli(['trigger', 'user.deleted', '--provider', 'hackmamba', '--forward', server!.url, '--secret', 's', '--retries', '--time-scale', '600']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^#1 500 .* {2}nope$/);
    expect(lines[2]).toBe('   retrying in 100ms, as the provider would');
    expect(lines[3]).toMatch(/^#2 200 /);
  });

  it('lava --retries sends exactly one attempt, then fails with the status', async () => {
    await start(() => ({ status: 500, body: 'lava handler broke' }));
    const run = await runCli(['trigger', 'customer.deleted', '--provider', 'lava', '--forward', server!.url, '--secret', SECRETS.lava!, '--retries', '--time-scale', '600']);
    expectOneLineError(run, 1, /^whcli: handler answered 500$/);
    expect(run.stdout).toContain('lava handler broke');
    expect(run.stdout).not.toContain('retrying');
    expect(server!.requests).toHaveLength(1);
  });
});

describe('provider inference (subprocess)', () => {
  it('needs no --provider for an event only one provider has', async () => {
    await start();
    const run = await runCli(['trigger', 'customer.subscription.updated', '--forward', server!.url, '--secret', SECRETS.stripe!, '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as JsonResult).provider).toBe('stripe');
    expect(await oracleAccepts('stripe', SECRETS.stripe!, server!.requests[0]!.body, server!.requests[0]!.headers)).toBe(true);
  });

  it('lists the candidates for an event several providers have, exit 2, nothing sent', async () => {
    await start();
    const run = await runCli(['trigger', 'invoice.paid', '--forward', server!.url, '--secret', 's']);
    expectOneLineError(run, 2, /^whcli: event "invoice\.paid" exists for several providers \(laabam, standard-webhooks, stripe\): pick one with --provider\.$/);
    expect(server!.requests).toHaveLength(0);
  });
});
