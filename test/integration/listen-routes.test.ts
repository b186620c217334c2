/**
 * `whcli listen` with routes: one listener for an app with several providers, each route forwarding to
 * its own handler, re-signed with its own secret (proven by each provider's official library); an event
 * no route matches is acknowledged as unrouted, shown and kept in history. Real processes on loopback.
 */
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verify as githubVerify } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler } from '../helpers/http-handler.js';
import { deliveries, makeHome, runCli, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';

const STRIPE_SECRET = 'whsec_routes_local_stripe';
const GITHUB_SECRET = 'gh-routes-local-secret';
const STRIPE_REAL = 'whsec_the_real_stripe_secret';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** A Stripe-Signature from Stripe's documented recipe, not by whcli. */
function stripeSignature(body: string, secret: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

type DeliveryLine = { route?: string; eventId?: string; eventType?: string; path: string; report: { ok: boolean; status?: number; skipped?: string; error?: { kind: string; message: string } } };

describe('whcli listen --route', () => {
  it('sends each event to its route, signed for that provider, and acknowledges the unrouted', async () => {
    const stripeHandler = await startHandler();
    const githubHandler = await startHandler();
    const home = await makeHome();
    const listener = await startListenerProcess(home, [
      '--port', '0', '--inspect', '0',
      '--route', `stripe:/stripe=${stripeHandler.url}/webhooks/stripe@stripe`,
      '--route', `gh:/github=${githubHandler.url}/hooks@github`,
    ], true, { WHCLI_SECRET_STRIPE: STRIPE_SECRET, WHCLI_SECRET_GH: GITHUB_SECRET });
    expect(listener.ready.routes).toEqual([
      { name: 'stripe', description: expect.stringContaining(`/stripe -> ${stripeHandler.url}/webhooks/stripe`) },
      { name: 'gh', description: expect.stringContaining(`/github -> ${githubHandler.url}/hooks`) },
    ]);

    const invoice = JSON.stringify({ id: 'evt_route_1', object: 'event', type: 'invoice.paid', data: { object: {} } });
    const push = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'o/r' } });
    expect((await post(`${listener.ready.url}/stripe`, invoice, { 'stripe-signature': 't=1,v1=stale' })).status).toBe(200);
    expect((await post(`${listener.ready.url}/github`, push, { 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': 'sha256=stale' })).status).toBe(200);
    expect((await post(`${listener.ready.url}/paypal`, '{"id":"WH-1","event_type":"PAYMENT.SALE.COMPLETED"}')).status).toBe(200);

    const [toStripe] = await stripeHandler.waitForRequests(1);
    const [toGithub] = await githubHandler.waitForRequests(1);
    expect(toStripe!.url).toBe('/webhooks/stripe');
    expect(toGithub!.url).toBe('/hooks');
    const event = Stripe.webhooks.constructEvent(toStripe!.body, headerValues(toStripe!, 'stripe-signature')[0]!, STRIPE_SECRET);
    expect(event.id).toBe('evt_route_1');
    expect(await githubVerify(GITHUB_SECRET, toGithub!.body.toString('utf8'), headerValues(toGithub!, 'x-hub-signature-256')[0]!)).toBe(true);

    await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 3 ? true : undefined), 'three delivery lines');
    const lines = deliveries(listener.proc) as DeliveryLine[];
    expect(lines.find((l) => l.route === 'stripe')).toMatchObject({ eventId: 'evt_route_1', report: { ok: true, status: 200 } });
    expect(lines.find((l) => l.route === 'gh')).toMatchObject({ eventType: 'push', report: { ok: true, status: 200 } });
    const unrouted = lines.find((l) => l.path === '/paypal')!;
    expect(unrouted.route).toBeUndefined();
    expect(unrouted.report).toMatchObject({ ok: false, skipped: 'rejected', error: { kind: 'unrouted' } });
    expect(unrouted.report.error!.message).toMatch(/^not forwarded: no route matches path \/paypal/);
    expect(stripeHandler.requests.length + githubHandler.requests.length).toBe(2);

    // The inspector names the route of each exchange it shows.
    const inspector = listener.ready.inspector as string;
    const token = /<meta name="whcli-token" content="([A-Za-z0-9_-]{43})">/.exec(await (await fetch(inspector)).text())![1]!;
    const shown = await Promise.all(['1', '2'].map(async (id) => (await (await fetch(`${inspector}/api/exchanges/${id}`, { headers: { 'x-whcli-token': token } })).json()) as { route?: string }));
    expect(shown.map((x) => x.route).sort()).toEqual(['gh', 'stripe']);

    await listener.proc.kill('SIGTERM');
    const listed = await runCli(['history', '--json'], home);
    const entries = JSON.parse(listed.stdout) as { route?: string; path: string; report: { error?: { kind: string } } }[];
    expect(entries.map((e) => [e.path, e.route ?? e.report.error?.kind]).sort()).toEqual([['/github', 'gh'], ['/paypal', 'unrouted'], ['/stripe', 'stripe']]);
  });

  it('matches config routes by event glob, first match wins, and verifies incoming per route', async () => {
    const billing = await startHandler();
    const rest = await startHandler();
    const dir = await makeHome();
    const config = join(dir, 'whcli.config.json');
    await writeFile(config, JSON.stringify({
      routes: [
        { name: 'billing', match: { events: ['invoice.*'] }, forward: `${billing.url}/billing`, provider: 'stripe', secret: STRIPE_SECRET, verifyIncoming: STRIPE_REAL },
        { name: 'rest', match: { path: '/' }, forward: rest.url, provider: 'stripe', resign: false },
      ],
    }));
    const listener = await startListenerProcess(await makeHome(), ['--port', '0', '--no-inspect', '--config', config]);
    const genuine = JSON.stringify({ id: 'evt_glob_1', type: 'invoice.payment_failed', data: { object: {} } });
    const forged = JSON.stringify({ id: 'evt_glob_forged', type: 'invoice.paid', data: { object: {} } });
    const customer = JSON.stringify({ id: 'evt_glob_2', type: 'customer.created', data: { object: {} } });
    await post(listener.ready.url, forged, { 'stripe-signature': stripeSignature(forged, 'whsec_attacker') });
    await post(listener.ready.url, genuine, { 'stripe-signature': stripeSignature(genuine, STRIPE_REAL) });
    await post(listener.ready.url, customer, { 'stripe-signature': 't=1,v1=untouched' });

    const [paid] = await billing.waitForRequests(1);
    const [other] = await rest.waitForRequests(1);
    expect(Stripe.webhooks.constructEvent(paid!.body, headerValues(paid!, 'stripe-signature')[0]!, STRIPE_SECRET).id).toBe('evt_glob_1');
    expect(headerValues(other!, 'stripe-signature')).toEqual(['t=1,v1=untouched']);
    await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 3 ? true : undefined), 'three delivery lines');
    const lines = deliveries(listener.proc) as DeliveryLine[];
    expect(lines.find((l) => l.eventId === 'evt_glob_forged')).toMatchObject({ route: 'billing', report: { skipped: 'rejected', error: { kind: 'signature' } } });
    expect(lines.find((l) => l.eventId === 'evt_glob_2')).toMatchObject({ route: 'rest', report: { ok: true } });
    expect(billing.requests).toHaveLength(1);
  });

  it('refuses a malformed --route and a route that re-signs without a secret', async () => {
    const bad = await runCli(['listen', '--port', '0', '--no-inspect', '--route', 'stripe=3000'], await makeHome());
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^whcli: --route "stripe=3000": give a path prefix, event globs or both/);
    const noSecret = await runCli(['listen', '--port', '0', '--no-inspect', '--route', 'pay:/pay=3000@stripe'], await makeHome());
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr.trim()).toMatch(/^whcli: route "pay" re-signs as stripe but has no secret: set WHCLI_SECRET_PAY/);
  });
});
