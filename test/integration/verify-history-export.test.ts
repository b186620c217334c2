/**
 * History as tests: events a real `whcli listen` delivered become fixture files with personal data
 * and credentials scrubbed (`whcli history export`), and `whcli verify --from` checks a handler
 * against them.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { deliveries, makeHome, runCli, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';
import { sendRaw } from '../helpers/relay-client.js';
import { reserializingHandler } from '../helpers/verify-buggy-handlers.js';
import { correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { failedChecks, runVerify, useVerifyFixtures } from '../helpers/verify-run.js';

const { environment, serve, current } = useVerifyFixtures();

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

const CARD = '4000 0566 5566 5556';
const BODIES = [
  JSON.stringify({
    id: 'evt_export_1',
    object: 'event',
    type: 'customer.created',
    data: {
      object: {
        id: 'cus_export_1',
        object: 'customer',
        email: 'jane.doe@acme-corp.io',
        phone: '+44 20 7946 0958',
        name: 'Jane Doe',
        description: 'VIP; reach her at jane.doe@acme-corp.io or +1 (415) 555-2671',
        metadata: { api_key: 'abc123-not-shaped-like-anything', note: 'paid with card 4242 4242 4242 4242', internal: 'sk_live_51HxYzAbCdEfGhIjKlMn' },
        created: 1732000000,
      },
    },
  }),
  JSON.stringify({
    id: 'evt_export_2',
    object: 'event',
    type: 'invoice.paid',
    data: { object: { id: 'in_export_2', customer: 'cus_export_1', customer_email: 'jane.doe@acme-corp.io', amount_paid: 2900, card: CARD, reference: '1732000000123' } },
  }),
];

it('exports scrubbed fixture files, and verify --from checks a handler against them', async () => {
  const home = await makeHome();
  const forward = await startHandler();
  const listener = await startListenerProcess(home, ['--port', '0', '--forward', `${forward.url}/hooks`, '--provider', 'stripe', '--secret', SECRETS.stripe!]);
  for (const body of BODIES) {
    const headers: [string, string][] = [
      ['Content-Type', 'application/json'],
      ['Stripe-Signature', 't=1,v1=deadbeef'],
      ['Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl'],
      ['User-Agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'],
    ];
    expect((await sendRaw(`${listener.ready.url}/stripe`, { headers, body })).status).toBe(200);
  }
  await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 2 ? true : undefined), 'two deliveries');
  await listener.proc.kill('SIGTERM');

  const dir = join(environment.cwd, 'fixtures', 'recorded');
  const exported = await runCli(['history', 'export', 'evt_export_1', 'evt_export_2', '--to', dir, '--json'], home);
  expect(exported.code, exported.stderr).toBe(0);
  const summary = JSON.parse(exported.stdout) as { event: string; file: string; scrubbed: Record<string, number> }[];
  expect(summary.map((s) => s.event)).toEqual(['customer.created', 'invoice.paid']);
  expect(summary[0]!.scrubbed).toEqual({ secrets: 2, emails: 2, phones: 2, cards: 1 });
  expect(summary[1]!.scrubbed).toEqual({ secrets: 0, emails: 1, phones: 0, cards: 1 });

  const files = (await readdir(dir)).sort();
  expect(files).toHaveLength(2);
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  const all = texts.join('\n');
  // Nothing personal or secret survives, in the body or the headers.
  for (const leaked of ['jane.doe', 'acme-corp', '7946', '555-2671', 'sk_live', 'abc123', '4242 4242', CARD, 'eyJhbGci', 'deadbeef', 'Authorization', 'Stripe-Signature']) {
    expect(all).not.toContain(leaked);
  }
  const customer = JSON.parse(texts.find((t) => t.includes('customer.created'))!);
  expect(customer).toMatchObject({ format: 'whcli.recorded-event/1', provider: 'stripe', event: 'customer.created' });
  expect(customer.body.data.object).toMatchObject({
    email: 'user1@example.com',
    phone: '+155501000',
    name: 'Jane Doe',
    description: 'VIP; reach her at user1@example.com or +155501001',
    metadata: { api_key: '[scrubbed]', note: 'paid with card 4242424242424242', internal: '[scrubbed]' },
    created: 1732000000,
  });
  expect(customer.headers).toMatchObject({ 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' });
  const invoice = JSON.parse(texts.find((t) => t.includes('invoice.paid'))!);
  // A millisecond timestamp in a string is not a card number.
  expect(invoice.body.data.object).toMatchObject({ card: '4242424242424242', reference: '1732000000123', customer_email: 'user1@example.com' });
  expect((await stat(join(dir, files[0]!))).isFile()).toBe(true);

  // Replayed as checks: a correct handler passes every check on both recorded events.
  const url = await serve(correctHandler('stripe'));
  const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, from: 'fixtures/recorded' });
  expect(report.from).toBe('fixtures/recorded');
  expect(report.events).toEqual(files.map((f) => `${f.startsWith('customer') ? 'customer.created' : 'invoice.paid'} (${f})`));
  expect(failedChecks(report)).toEqual([]);
  expect(report.summary.passed).toBe(12);
  // Each send got a fresh event id; the recorded body is otherwise what was sent.
  const sent = current().received.map((r) => JSON.parse(r.body.toString()));
  expect(new Set(sent.map((b) => b.id)).size).toBeGreaterThan(2);
  expect(sent.some((b) => b.data.object.email === 'user1@example.com')).toBe(true);

  // And a handler that verifies a re-serialized body fails raw-body on them.
  await current().close();
  const bad = await serve(reserializingHandler('stripe'));
  const second = await runVerify(environment, { provider: 'stripe', forward: bad, secret: SECRETS.stripe, from: dir });
  expect(failedChecks(second.report)).toEqual(second.report.events.map((e) => `${e} raw-body`));
});

it('verify --from names a missing folder, and a file recorded from another provider', async () => {
  const url = await serve(correctHandler('github'));
  const missing = await runVerify(environment, { provider: 'github', forward: url, secret: SECRETS.github, from: 'nowhere' }).catch((e: unknown) => e);
  expect(missing).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--from .*nowhere: no such folder \(write one with `whcli history export <id> --to .*`\)$/) });
  const home = await makeHome();
  const unknown = await runCli(['history', 'export', 'rev_nope', '--to', join(environment.cwd, 'x')], home);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trim()).toBe('whcli: no event "rev_nope" in history (see `whcli history`)');
});
