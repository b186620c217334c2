/**
 * Scenarios: every shipped scenario is valid data and runs against a correct handler; `trigger
 * --scenario` sends the events in order with ids that cross-reference, each accepted by the
 * provider's own verifier; `verify --scenario` reports each step; the config file can define more.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../src/fixtures/scenario.js';
import { builtinProviders } from '../../src/providers/builtin.js';
import { expectOneLineError, runCli } from '../helpers/foundation-cli.js';
import { correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { failedChecks, runVerify, useVerifyFixtures } from '../helpers/verify-run.js';
import type { ReceivedWebhook, WebhookHandler } from '../helpers/verify-server.js';

const { environment, serve, current } = useVerifyFixtures();
const stripeBody = (r: ReceivedWebhook) => JSON.parse(r.body.toString()) as { type: string; data: { object: Record<string, unknown> } };

const shipped = (
  await Promise.all(builtinProviders.map(async (provider) => (await listScenarios(provider)).map((s) => [provider.name, s.name] as const)))
).flat();

it('ships the scenarios the docs promise', () => {
  expect(shipped).toEqual(
    expect.arrayContaining([
      ['stripe', 'checkout'],
      ['stripe', 'subscription-lifecycle'],
      ['stripe', 'failed-payment'],
      ['github', 'pull-request'],
      ['laabam', 'invoice'],
      ['hackmamba', 'signup-to-refund'],
      ['lehjah', 'subscription'],
      ['lahza', 'refund'],
      ['shopify', 'order'],
    ]),
  );
});

describe.each(shipped)('%s scenario %s', (provider, name) => {
  it('passes verify --scenario against a correct handler, every step in order', async () => {
    const url = await serve(correctHandler(provider));
    const { report } = await runVerify(environment, { provider, forward: url, secret: SECRETS[provider], scenario: name });
    expect(failedChecks(report)).toEqual([]);
    expect(report.scenario).toBe(name);
    expect(report.checks).toEqual(['scenario']);
    expect(report.results.every((r) => r.check === 'scenario')).toBe(true);
    expect(current().received).toHaveLength(report.results.length);
  });
});

/**
 * A Stripe handler that keeps what it has seen and refuses (409) any event naming a customer,
 * invoice or subscription it was never told about: it passes only if the ids cross-reference.
 */
function consistentStripeHandler(): WebhookHandler {
  const correct = correctHandler('stripe');
  const known = new Set<string>();
  return async (request) => {
    const reply = await correct(request);
    if (reply.status !== 200) return reply;
    const { type, data } = stripeBody(request);
    const o = data.object;
    const refs = type === 'customer.created' ? [] : [o.customer];
    if (type === 'invoice.paid') refs.push(o.subscription);
    if (type === 'customer.subscription.created') refs.push(o.latest_invoice);
    for (const ref of refs) if (typeof ref === 'string' && !known.has(ref)) return { status: 409, body: `${type} names unknown ${ref}` };
    known.add(String(o.id));
    for (const key of ['subscription', 'invoice', 'payment_intent']) if (typeof o[key] === 'string') known.add(String(o[key]));
    return reply;
  };
}

describe('trigger --scenario', () => {
  it('sends the checkout scenario in order, ids cross-referenced, each signed as Stripe signs', async () => {
    const url = await serve(consistentStripeHandler());
    const run = await runCli(['trigger', '--scenario', 'checkout', '--provider', 'stripe', '--forward', url, '--secret', SECRETS.stripe!]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const bodies = current().received.map(stripeBody);
    expect(bodies.map((b) => b.type)).toEqual([
      'customer.created',
      'checkout.session.completed',
      'payment_intent.succeeded',
      'charge.succeeded',
      'invoice.paid',
      'customer.subscription.created',
    ]);
    const [customer, session, payment, charge, invoice, subscription] = bodies.map((b) => b.data.object);
    expect(session!.customer).toBe(customer!.id);
    expect(payment!.customer).toBe(customer!.id);
    expect(charge!.payment_intent).toBe(payment!.id);
    expect(charge!.id).toBe(payment!.latest_charge);
    expect(invoice!.id).toBe(session!.invoice);
    expect(invoice!.subscription).toBe(session!.subscription);
    expect(invoice!.payment_intent).toBe(payment!.id);
    expect(subscription!.id).toBe(session!.subscription);
    expect(subscription!.latest_invoice).toBe(invoice!.id);
    expect(run.stdout).toMatch(/^scenario checkout \(stripe, 6 events\) -> http/);
    expect(run.stdout.trim().split('\n').slice(1)).toHaveLength(6);
  });

  it('the GitHub pull request: opened, synchronize from the opened head, then merged', async () => {
    const url = await serve(correctHandler('github'));
    const run = await runCli(['trigger', '--scenario', 'pull-request', '-p', 'github', '-f', url, '-s', SECRETS.github!, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.steps.map((s: { event: string; result: { status: number } }) => [s.event, s.result.status])).toEqual([
      ['pull_request.opened', 200],
      ['pull_request.synchronize', 200],
      ['pull_request.closed', 200],
    ]);
    const [opened, sync, closed] = current().received.map((r) => JSON.parse(r.body.toString()));
    expect(current().received.map((r) => r.headers['x-github-event'])).toEqual(['pull_request', 'pull_request', 'pull_request']);
    expect(sync.before).toBe(opened.pull_request.head.sha);
    expect(closed.pull_request.head.sha).toBe(sync.after);
    expect(closed.pull_request.merged).toBe(true);
    expect(new Set([opened, sync, closed].map((b) => b.pull_request.id)).size).toBe(1);
  });

  it('stops at the first refused step and says which, exit 1', async () => {
    let seen = 0;
    const correct = correctHandler('stripe');
    const url = await serve(async (request) => (++seen === 2 ? { status: 500, body: 'boom' } : correct(request)));
    const run = await runCli(['trigger', '--scenario', 'checkout', '-p', 'stripe', '-f', url, '-s', SECRETS.stripe!]);
    expectOneLineError(run, 1, /^whcli: scenario checkout step 2 \(checkout\.session\.completed\): handler answered 500; 4 later steps not sent$/);
    expect(current().received).toHaveLength(2);
  });

  it('an unknown scenario names the nearest and the list, exit 2', async () => {
    const run = await runCli(['trigger', '--scenario', 'chekout', '-p', 'stripe', '-f', '3000', '-s', 'x']);
    expectOneLineError(run, 2, /^whcli: unknown scenario "chekout"\. Did you mean "checkout"\? stripe's scenarios: checkout, failed-payment, subscription-lifecycle\.$/);
  });

  it('an event and --scenario together, or neither, is a usage error', async () => {
    expectOneLineError(await runCli(['trigger', 'invoice.paid', '--scenario', 'checkout', '-p', 'stripe', '-s', 'x']), 2, /not both/);
    expectOneLineError(await runCli(['trigger', '-p', 'stripe', '-s', 'x']), 2, /^whcli: missing required argument 'event': give an event type .* or --scenario <name>$/);
  });
});

describe('scenarios in the config file', () => {
  it('verify --scenario runs one defined there, and a bad link is named with its step', async () => {
    const url = await serve(correctHandler('laabam'));
    const config = join(environment.cwd, 'whcli.config.json');
    const scenarios = [
      {
        name: 'refund-after-paid',
        provider: 'laabam',
        steps: [
          { event: 'invoice.created', as: 'invoice' },
          { event: 'invoice.paid', link: { 'data.invoice_id': 'invoice.data.invoice_id' } },
        ],
      },
      { name: 'broken', provider: 'laabam', steps: [{ event: 'invoice.paid', link: { 'data.invoice_id': 'nowhere.data.id' } }] },
    ];
    await writeFile(config, JSON.stringify({ scenarios }));
    try {
      const { report } = await runVerify(environment, { provider: 'laabam', forward: url, secret: SECRETS.laabam, scenario: 'refund-after-paid' });
      expect(report.events).toEqual(['1. invoice.created', '2. invoice.paid']);
      expect(report.ok).toBe(true);
      const [created, paid] = current().received.map((r) => JSON.parse(r.body.toString()));
      expect(paid.data.invoice_id).toBe(created.data.invoice_id);
      const error = await runVerify(environment, { provider: 'laabam', forward: url, secret: SECRETS.laabam, scenario: 'broken' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ exitCode: 2, message: 'scenario broken (the config file), step 1: link data.invoice_id -> nowhere.data.id names "nowhere", which no earlier step declares with "as"' });
    } finally {
      await writeFile(config, '{}');
    }
  });
});

it('verify --scenario refuses flags that choose other events or checks, each with the fix', async () => {
  const url = await serve(correctHandler('stripe'));
  const base = { provider: 'stripe', forward: url, secret: SECRETS.stripe, scenario: 'checkout' };
  const cases: [Record<string, string>, RegExp][] = [
    [{ checks: 'forgery' }, /^--scenario sends its steps in order as one check each; leave out --checks$/],
    [{ events: 'invoice.paid' }, /^--events chooses catalogue events; --scenario sends its own: leave --events out$/],
    [{ from: 'x' }, /^--scenario and --from each choose what to send: give one of them$/],
  ];
  for (const [extra, message] of cases) {
    const error = await runVerify(environment, { ...base, ...extra }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  }
  expect(current().received).toHaveLength(0);
});
