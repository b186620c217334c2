/**
 * The Stripe catalogue end to end: every event type the `stripe` package lists goes through
 * `whcli trigger` to a real loopback handler that verifies it as Stripe's docs say, with the
 * official SDK's `stripe.webhooks.constructEvent` on the raw bytes, and the raw body must be laid
 * out as Stripe sends it (pretty-printed, two spaces, id and object first, no trailing newline).
 * All 275 run in-process (the same `trigger()` the CLI calls); a sample also runs as the built CLI.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trigger } from '../../src/commands/trigger.js';
import { stripe as stripeSpec } from '../../src/providers/catalogue/stripe.js';
import { STRIPE_API_VERSION } from '../../src/providers/catalogue/stripe-events.js';
import { runCli, tempDir } from '../helpers/foundation-cli.js';

const SECRET = 'whsec_test_5f4dcc3b5aa765d61d8327deb882cf99';
const sdk = new Stripe('sk_test_not_used');

interface Verified {
  raw: Buffer;
  event?: Stripe.Event;
  error?: string;
}

let server: Server;
let url: string;
const received: Verified[] = [];
let home: { path: string; remove: () => void };

beforeAll(async () => {
  home = tempDir();
  // The handler Stripe's docs describe: raw body, Stripe-Signature header, the endpoint secret.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      try {
        const event = sdk.webhooks.constructEvent(raw, String(req.headers['stripe-signature']), SECRET);
        received.push({ raw, event });
        res.writeHead(200).end('ok');
      } catch (error) {
        received.push({ raw, error: (error as Error).message });
        res.writeHead(400).end((error as Error).message);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
  home.remove();
});

const environment = () => ({ cwd: home.path, env: { WHCLI_HOME: home.path } });

/** Stripe's layout: what JSON.stringify(value, null, 2) writes for the same keys in the same order. */
function expectStripeLayout(raw: Buffer): Record<string, any> {
  const text = raw.toString('utf8');
  const value = JSON.parse(text) as Record<string, any>;
  expect(text).toBe(JSON.stringify(value, null, 2));
  expect(text.startsWith('{\n  "id": "evt_')).toBe(true);
  expect(text.endsWith('\n}')).toBe(true);
  expect(Object.keys(value)).toEqual(['id', 'object', 'api_version', 'created', 'data', 'livemode', 'pending_webhooks', 'request', 'type']);
  // Stripe renders id and object first (where the object has an id), then the rest by name.
  const keys = Object.keys(value.data.object);
  const head = 'id' in value.data.object ? ['id', 'object'] : ['object'];
  expect(keys.slice(0, head.length)).toEqual(head);
  expect(keys.slice(head.length)).toEqual([...keys.slice(head.length)].sort());
  return value;
}

/** What the event's name says about its object's state, checked where the object has the field. */
function expectStateOf(name: string, data: Record<string, any>): void {
  const o = data.object;
  if (name.endsWith('.updated')) expect(Object.keys(data.previous_attributes ?? {}).length, `${name} previous_attributes`).toBeGreaterThan(0);
  else expect(data.previous_attributes, `${name} has previous_attributes`).toBeUndefined();
  const suffix = name.slice(name.lastIndexOf('.') + 1);
  if (['succeeded', 'canceled', 'processing', 'posted', 'returned'].includes(suffix) && 'status' in o) {
    expect(o.status, name).toBe(suffix);
  }
}

describe('every Stripe event, verified by stripe.webhooks.constructEvent on the raw bytes', () => {
  it('lists every event type of the stripe package (275 for this version)', () => {
    const declared = readFileSync(new URL('../../node_modules/stripe/esm/resources/Events.d.ts', import.meta.url), 'utf8');
    const types = /type Type = ([^;]+);/.exec(declared)![1]!.match(/'[^']+'/g)!.map((t) => t.slice(1, -1));
    expect(stripeSpec.events.map((e) => e.name).sort()).toEqual([...types].sort());
    expect(types.length).toBe(275);
  });

  it.each(stripeSpec.events.map((e) => [e.name]))('%s', async (name) => {
    const before = received.length;
    const result = await trigger({ event: name, provider: 'stripe', forward: url, secret: SECRET }, { environment: environment() });
    expect(result.ok, result.attempts[0]?.result.body).toBe(true);
    const got = received[before]!;
    expect(got.error).toBeUndefined();
    expect(got.event!.type).toBe(name);
    expect(got.event!.api_version).toBe(STRIPE_API_VERSION);
    expect(got.raw.equals(Buffer.from(result.body, 'utf8'))).toBe(true);
    const body = expectStripeLayout(got.raw);
    expectStateOf(name, body.data);
  });

  it('states the event means: paid invoices, refunded charges, canceled subscriptions', async () => {
    const send = async (name: string) => {
      const before = received.length;
      await trigger({ event: name, provider: 'stripe', forward: url, secret: SECRET }, { environment: environment() });
      return received[before]!.event!.data.object as unknown as Record<string, any>;
    };
    const paid = await send('invoice.paid');
    expect(paid).toMatchObject({ object: 'invoice', status: 'paid', amount_remaining: 0 });
    expect(paid.amount_paid).toBe(paid.amount_due);
    expect(await send('invoice.payment_succeeded')).toMatchObject({ status: 'paid' });
    expect(await send('invoice.payment_failed')).toMatchObject({ status: 'open', attempted: true });
    const refunded = await send('charge.refunded');
    expect(refunded).toMatchObject({ object: 'charge', refunded: true, status: 'succeeded' });
    expect(refunded.amount_refunded).toBe(refunded.amount);
    expect(await send('customer.subscription.deleted')).toMatchObject({ object: 'subscription', status: 'canceled', ended_at: expect.any(Number) });
    const trial = await send('customer.subscription.trial_will_end');
    expect(trial).toMatchObject({ status: 'trialing' });
    expect(trial.trial_end).toBeGreaterThan(trial.trial_start);
    expect(await send('checkout.session.expired')).toMatchObject({ object: 'checkout.session', status: 'expired' });
    expect(await send('payment_intent.payment_failed')).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } });
  });
});

describe('whcli trigger (the built CLI) for Stripe', () => {
  it.each([
    ['invoice.paid', []],
    ['customer.subscription.updated', []],
    ['checkout.session.completed', ['--api-version', '2024-06-20']],
    ['invoice.payment_succeeded', ['--api-version', '2024-06-20', '--set', 'data.object.amount_paid=1']],
    ['payment_intent.succeeded', ['--set-new', 'data.object.metadata.order=42']],
  ])('%s %j: verified, pretty-printed as Stripe sends it', { timeout: 60_000 }, async (name, extra) => {
    const before = received.length;
    const run = await runCli(['trigger', name, '--provider', 'stripe', '--forward', url, '--secret', SECRET, ...extra]);
    expect(run.code, run.stderr).toBe(0);
    const got = received[before]!;
    expect(got.error).toBeUndefined();
    const body = expectStripeLayout(got.raw);
    expect(body.type).toBe(name);
    expect(body.api_version).toBe(extra.includes('--api-version') ? '2024-06-20' : STRIPE_API_VERSION);
    if (extra.includes('--set')) expect(body.data.object.amount_paid).toBe(1);
    if (extra.includes('--set-new')) expect(body.data.object.metadata).toEqual({ order: 42 });
  });

  it('`whcli events --provider stripe` lists all 275 (one header line above them)', async () => {
    const run = await runCli(['events', '--provider', 'stripe']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(276);
    expect(lines[0]).toMatch(/^PROVIDER\s+EVENT\s+DESCRIPTION$/);
  });

  it('`whcli providers --json` documents each provider\'s body layout', async () => {
    const run = await runCli(['providers', '--json']);
    const providers = JSON.parse(run.stdout) as { name: string; json: unknown; bodyLayout: string; apiVersions?: string[] }[];
    const byName = Object.fromEntries(providers.map((p) => [p.name, p]));
    expect(byName.stripe).toMatchObject({ json: { indent: 2 }, bodyLayout: '2-space indent', apiVersions: [STRIPE_API_VERSION, '2024-06-20'] });
    expect(byName.laabam).toMatchObject({ json: { indent: 0 }, bodyLayout: 'compact' });
  });
});
