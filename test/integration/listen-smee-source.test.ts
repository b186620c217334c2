/**
 * `whcli listen --source`: the real smee.io server (../shared/peers/smee.io) on loopback as a public
 * front. What a provider POSTs to the smee channel reaches the handler through the listener's own path,
 * re-signed, so the provider's official verifier accepts it although smee re-serialized the body; the
 * reference client, smee-client, delivers the same request with a signature that no longer verifies.
 */
import { once } from 'node:events';
import SmeeClient from 'smee-client';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler, type ReceivedRequest } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';
import { smeeUnavailable, startSmeeServer, type SmeeServer } from '../helpers/smee-server.js';

const unavailable = smeeUnavailable();
if (unavailable) console.warn(`\n*** ${unavailable} ***\n`);

const stripe = new Stripe('sk_test_not_used');
const PROVIDER_SECRET = 'whsec_the_providers_own_secret';
const LOCAL_SECRET = 'whsec_the_handlers_local_secret';
/** Laid out as Stripe sends it: pretty-printed, which smee's re-serialization undoes. */
const EVENT = Buffer.from(`${JSON.stringify({ id: 'evt_smee_1', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1', amount_paid: 4200, customer_name: 'Zoë' } } }, null, 2)}\n`);

/** POSTs an event to a smee channel as Stripe would: signed with the provider's secret. */
async function postAsStripe(channel: string, query = ''): Promise<void> {
  const signature = stripe.webhooks.generateTestHeaderString({ payload: EVENT.toString('utf8'), secret: PROVIDER_SECRET });
  const response = await fetch(`${channel}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature, 'x-request-id': 'req_smee' },
    body: EVENT,
  });
  expect(response.status).toBe(200);
}

function stripeAccepts(request: ReceivedRequest, secret: string): boolean {
  try {
    stripe.webhooks.constructEvent(request.body, headerValues(request, 'stripe-signature')[0] ?? '', secret);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(unavailable !== undefined)('listen --source: smee.io as a public front', () => {
  let smee: SmeeServer;
  beforeAll(async () => {
    smee = await startSmeeServer();
  });
  afterAll(async () => smee?.close());
  afterEach(async () => {
    await stopAllProcesses();
    await closeAllHandlers();
  });

  it('delivers what smee hears, re-signed so the official verifier accepts it, through history too', async () => {
    const handler = await startHandler();
    const home = await makeHome();
    const { proc, ready } = await startListenerProcess(home, ['-f', handler.url, '-p', 'stripe', '-s', LOCAL_SECRET, '--source', `${smee.url}/new`, '--no-inspect']);
    expect(ready.url.startsWith(`${smee.url}/`)).toBe(true);
    expect(ready.source).toMatchObject({ kind: 'smee', relayUrl: expect.stringContaining('/c/') });

    await postAsStripe(ready.url, '?attempt=1');
    const [request] = await handler.waitForRequests(1);
    // smee re-serialized the body; the listener re-signed those bytes with the local secret.
    expect(request!.body.toString('utf8')).toBe(JSON.stringify(JSON.parse(EVENT.toString('utf8'))));
    expect(stripeAccepts(request!, LOCAL_SECRET)).toBe(true);
    expect(stripeAccepts(request!, PROVIDER_SECRET)).toBe(false);
    expect(headerValues(request!, 'x-request-id')).toEqual(['req_smee']);
    expect(request!.url).toBe('/?attempt=1');

    const delivery = await proc.waitForLine((l) => l.type === 'delivery', 'the delivery line');
    expect(delivery).toMatchObject({ eventType: 'invoice.paid', eventId: 'evt_smee_1' });
    await proc.kill('SIGINT');
    const history = await runCli(['history', '--json'], home);
    expect(JSON.parse(history.stdout)).toEqual([expect.objectContaining({ eventId: 'evt_smee_1' })]);
  });

  it('smee-client, the reference client, delivers the same event with a signature that no longer verifies', async () => {
    const handler = await startHandler();
    const channel = await SmeeClient.createChannel({ newChannelUrl: `${smee.url}/new` });
    const client = new SmeeClient({ source: channel, target: handler.url, forward: true, logger: { info: () => {}, error: () => {} } });
    const events = await client.start();
    if (events.readyState !== events.OPEN) await once(events as unknown as EventTarget & NodeJS.EventEmitter, 'open');
    try {
      await postAsStripe(channel);
      const [request] = await handler.waitForRequests(1);
      expect(request!.body.toString('utf8')).toBe(JSON.stringify(JSON.parse(EVENT.toString('utf8'))));
      expect(stripeAccepts(request!, PROVIDER_SECRET)).toBe(false);
    } finally {
      await client.stop();
    }
  });

  it('keeps the channel it created: the same smee URL after a restart', async () => {
    const handler = await startHandler();
    const home = await makeHome();
    const args = ['-f', handler.url, '-p', 'stripe', '-s', LOCAL_SECRET, '--source', `${smee.url}/new`, '--no-inspect'];
    const first = await startListenerProcess(home, args);
    await first.proc.kill('SIGINT');
    const second = await startListenerProcess(home, args);
    expect(second.ready.url).toBe(first.ready.url);
    await postAsStripe(second.ready.url);
    const [request] = await handler.waitForRequests(1);
    expect(stripeAccepts(request!, LOCAL_SECRET)).toBe(true);
  });

  it('subscribes to a channel URL given as is', async () => {
    const handler = await startHandler();
    const home = await makeHome();
    const channel = `${smee.url}/whcliGivenChannel1`;
    const { ready } = await startListenerProcess(home, ['-f', handler.url, '-p', 'stripe', '-s', LOCAL_SECRET, '--source', channel, '--no-inspect']);
    expect(ready.url).toBe(channel);
    await postAsStripe(channel);
    const [request] = await handler.waitForRequests(1);
    expect(stripeAccepts(request!, LOCAL_SECRET)).toBe(true);
  });
});

describe('listen --source: bad input', () => {
  afterEach(stopAllProcesses);

  it.each([
    [['--source', 'ftp://smee.example/abc'], /--source must be an http\(s\) URL/],
    [['--source', 'not a url'], /--source must be "smee" or a smee channel URL/],
    [['--source', 'https://smee.example/a/b'], /--source must name one smee channel/],
    [['--source', 'smee', '-p', 'stripe', '--verify-incoming', 'whsec_x'], /--verify-incoming cannot work through --source/],
    [['--source', 'smee', '--public-url', 'https://abc.example'], /--source and --public-url both name the public URL/],
  ])('%j is refused with one line and exit 2', async (args, message) => {
    const home = await makeHome();
    const result = await runCli(['listen', '-f', '3000', '-s', 'whsec_x', '--no-inspect', ...args], home);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a server that is not smee is named, not waited on forever', async () => {
    const notSmee = await startHandler(() => ({ status: 404, body: 'no such page' }));
    const home = await makeHome();
    const result = await runCli(['listen', '-f', '3000', '-p', 'stripe', '-s', 'whsec_x', '--no-inspect', '--source', `${notSmee.url}/abc`], home);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused the subscription: is it a smee.io channel URL\?/);
    await closeAllHandlers();
  });
});
