/**
 * A replay goes through the listener's forward path: same method, path, query and headers, a fresh
 * signature (checked with Stripe's library), the edited bytes when given.
 */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../../src/delivery/send.js';
import { ExchangeLog } from '../../../src/inspector/exchange-log.js';
import { exchangeFromForward, replayExchange } from '../../../src/inspector/replay.js';
import { stripe as stripeProvider } from '../../../src/providers/catalogue/stripe.js';
import type { RelayEvent } from '../../../src/relay/protocol.js';
import { buildForwardRequest, describeEvent } from '../../../src/tunnel/forward.js';

const SECRET = 'whsec_replay_unit';
const stripe = new Stripe('sk_test_not_used');
const BODY = Buffer.from('{"id":"evt_r1","type":"invoice.paid","data":{"object":{"amount":5}}}');
const OPTIONS = { forward: new URL('http://127.0.0.1:3000/hooks'), provider: stripeProvider, secret: SECRET, resign: true, timeoutMs: 5000 };

const event: RelayEvent = {
  seq: 4,
  id: 'rev_r1',
  channel: 'ch_1',
  receivedAt: 1000,
  method: 'POST',
  path: '/stripe',
  query: 'x=1&y=%20',
  headers: [['Content-Type', 'application/json'], ['Stripe-Signature', 't=1,v1=stale'], ['X-Dup', 'a'], ['X-Dup', 'b']],
  body: BODY,
};

function signature(request: OutgoingRequest): string {
  const value = request.headers['stripe-signature'] ?? request.headers['Stripe-Signature'];
  expect(typeof value).toBe('string');
  return value as string;
}

function logged() {
  const log = new ExchangeLog();
  const info = describeEvent(event, stripeProvider);
  const request = buildForwardRequest(event, OPTIONS, info);
  return log.add(exchangeFromForward({ event, info, request, result: { ok: true, status: 200, durationMs: 2 } }));
}

describe('replayExchange', () => {
  it('sends the same request again, freshly signed', async () => {
    const original = logged();
    const sent: OutgoingRequest[] = [];
    const replay = await replayExchange(original, OPTIONS, undefined, async (request) => {
      sent.push(request);
      return { ok: true, status: 202, durationMs: 1 };
    });
    const [request] = sent;
    expect(request!.url.toString()).toBe('http://127.0.0.1:3000/hooks/stripe?x=1&y=%20');
    expect(request!.rawPath).toBe('/hooks/stripe?x=1&y=%20');
    expect(request!.headers['X-Dup']).toEqual(['a', 'b']);
    expect(Buffer.from(request!.body).equals(BODY)).toBe(true);
    expect(stripe.webhooks.constructEvent(Buffer.from(request!.body), signature(request!), SECRET)).toMatchObject({ id: 'evt_r1' });
    expect(replay).toMatchObject({ eventId: 'rev_r1', replayOf: original.id, edited: false, eventType: 'invoice.paid', providerEventId: 'evt_r1', result: { status: 202 } });
    // The unchanged body is the same Buffer: the log holds it once.
    expect(replay.sent.body).toBe(original.received.body);
  });

  it('signs and sends edited bytes', async () => {
    const original = logged();
    const edited = Buffer.from('{"id":"evt_r1", "type":"invoice.paid","data":{"object":{"amount":99}}}');
    let request: OutgoingRequest | undefined;
    const replay = await replayExchange(original, OPTIONS, edited, async (r) => {
      request = r;
      return { ok: true, status: 200, durationMs: 1 };
    });
    expect(Buffer.from(request!.body).equals(edited)).toBe(true);
    expect(stripe.webhooks.constructEvent(edited, signature(request!), SECRET)).toMatchObject({ data: { object: { amount: 99 } } });
    expect(replay.edited).toBe(true);
    expect(replay.received.body.equals(BODY)).toBe(true);
    expect(replay.sent.body.equals(edited)).toBe(true);
  });

  it('an "edit" that changes nothing is a plain replay', async () => {
    const original = logged();
    const replay = await replayExchange(original, OPTIONS, Buffer.from(BODY), async () => ({ ok: true, status: 200, durationMs: 1 }));
    expect(replay.edited).toBe(false);
  });

  it('without re-signing, passes the received signature through', async () => {
    const original = logged();
    let request: OutgoingRequest | undefined;
    await replayExchange(original, { ...OPTIONS, resign: false }, undefined, async (r) => {
      request = r;
      return { ok: true, status: 200, durationMs: 1 };
    });
    expect(signature(request!)).toBe('t=1,v1=stale');
  });
  it('routes the event again as the listener did: the route\'s handler, prefix taken off, its provider and secret', async () => {
    const original = logged();
    const routeSecret = 'whsec_route_only';
    const routes = [
      { name: 'github', path: '/github', forward: new URL('http://127.0.0.1:4000/gh'), resign: false },
      { name: 'billing', path: '/stripe', forward: new URL('http://127.0.0.1:5000/billing'), provider: stripeProvider, secret: routeSecret, resign: true },
    ];
    const sent: OutgoingRequest[] = [];
    const replay = await replayExchange(original, { ...OPTIONS, routes }, undefined, async (request) => {
      sent.push(request);
      return { ok: true, status: 200, durationMs: 1 };
    });
    expect(sent[0]!.url.toString()).toBe('http://127.0.0.1:5000/billing?x=1&y=%20');
    expect(stripe.webhooks.constructEvent(Buffer.from(sent[0]!.body), signature(sent[0]!), routeSecret)).toMatchObject({ id: 'evt_r1' });
    expect(() => stripe.webhooks.constructEvent(Buffer.from(sent[0]!.body), signature(sent[0]!), SECRET)).toThrow();
    expect(replay.route).toBe('billing');
  });
});
