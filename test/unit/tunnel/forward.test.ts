/**
 * What the listener sends the handler for a relayed event: same bytes, method, path suffix and query;
 * headers as sent minus hop-by-hop ones and host; provider signatures replaced (checked with the
 * providers' official libraries) unless re-signing is off.
 */
import { verify as githubVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { github } from '../../../src/providers/catalogue/github.js';
import { standardWebhooks } from '../../../src/providers/catalogue/standard-webhooks.js';
import { stripe as stripeProvider } from '../../../src/providers/catalogue/stripe.js';
import type { RelayEvent } from '../../../src/relay/protocol.js';
import { buildForwardRequest, describeEvent, forwardableHeaders } from '../../../src/tunnel/forward.js';

const stripe = new Stripe('sk_test_not_used');

function relayEvent(body: string | Buffer, headers: [string, string][] = [], overrides: Partial<RelayEvent> = {}): RelayEvent {
  return {
    seq: 1,
    id: 'rev_test',
    channel: 'ch_test',
    receivedAt: 0,
    method: 'POST',
    path: '',
    query: '',
    headers,
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    ...overrides,
  };
}

/** Values of a header in a HeaderList, whatever the case of its name. */
function values(headers: Record<string, string | string[]>, name: string): string[] {
  return Object.entries(headers)
    .filter(([k]) => k.toLowerCase() === name.toLowerCase())
    .flatMap(([, v]) => (Array.isArray(v) ? v : [v]));
}

describe('forwardableHeaders', () => {
  it('drops hop-by-hop headers, host and content-length, in any case', () => {
    const pairs: [string, string][] = [
      ['Host', 'relay.example.com'],
      ['Connection', 'keep-alive'],
      ['KEEP-ALIVE', 'timeout=5'],
      ['Proxy-Authorization', 'Basic eA=='],
      ['Proxy-Authenticate', 'Basic'],
      ['Proxy-Connection', 'keep-alive'],
      ['TE', 'trailers'],
      ['Trailer', 'X-Checksum'],
      ['Transfer-Encoding', 'chunked'],
      ['Upgrade', 'h2c'],
      ['Content-Length', '12'],
      ['Expect', '100-continue'],
      ['Content-Type', 'application/json'],
    ];
    expect(forwardableHeaders(pairs, new Set())).toEqual({ 'Content-Type': 'application/json' });
  });

  it('drops the headers that Connection names', () => {
    const pairs: [string, string][] = [
      ['Connection', 'keep-alive, X-Hop-One'],
      ['connection', 'x-hop-two'],
      ['X-Hop-One', '1'],
      ['x-HOP-two', '2'],
      ['X-Kept', 'yes'],
    ];
    expect(forwardableHeaders(pairs, new Set())).toEqual({ 'X-Kept': 'yes' });
  });

  it('keeps repeated headers repeated and in order, with their original case', () => {
    const pairs: [string, string][] = [
      ['X-Dup', 'a'],
      ['User-Agent', 'Stripe/1.0'],
      ['X-Dup', 'b'],
      ['X-Dup', 'c'],
      ['Set-Cookie', 'x=1'],
    ];
    const out = forwardableHeaders(pairs, new Set());
    expect(out).toEqual({ 'X-Dup': ['a', 'b', 'c'], 'User-Agent': 'Stripe/1.0', 'Set-Cookie': 'x=1' });
    expect(Object.keys(out)).toEqual(['X-Dup', 'User-Agent', 'Set-Cookie']);
  });

  it('drops the names it is asked to, by lower-case name', () => {
    expect(forwardableHeaders([['Stripe-Signature', 't=1,v1=x'], ['X-Other', '1']], new Set(['stripe-signature']))).toEqual({ 'X-Other': '1' });
  });
});

describe('buildForwardRequest', () => {
  const base = { forward: new URL('http://127.0.0.1:3000/hooks'), resign: false, timeoutMs: 1234 };

  it('keeps method, raw body, path suffix and query', () => {
    const body = Buffer.from([0xff, 0x00, 0x7b, 0xc3]);
    const request = buildForwardRequest(relayEvent(body, [], { method: 'PUT', path: '/stripe/v1', query: 'a=1&b=two%20words&b=3' }), base);
    expect(request.method).toBe('PUT');
    expect(Buffer.from(request.body).equals(body)).toBe(true);
    expect(request.url.toString()).toBe('http://127.0.0.1:3000/hooks/stripe/v1?a=1&b=two%20words&b=3');
    expect(request.timeoutMs).toBe(1234);
  });

  it('appends the query to one already in --forward', () => {
    const request = buildForwardRequest(relayEvent('{}', [], { path: '/x', query: 'b=2' }), { ...base, forward: new URL('http://localhost:3000/hooks?a=1') });
    expect(request.url.toString()).toBe('http://localhost:3000/hooks/x?a=1&b=2');
  });

  it('replaces a stale Stripe signature with one that Stripe verifies', () => {
    const body = '{\n  "id": "evt_1",\n  "type": "invoice.paid"\n}';
    const event = relayEvent(body, [
      ['Content-Type', 'application/json'],
      ['stripe-signature', 't=1,v1=stale'],
    ]);
    const request = buildForwardRequest(event, { ...base, provider: stripeProvider, secret: 'whsec_fwd', resign: true });
    const signature = values(request.headers, 'stripe-signature');
    expect(signature).toHaveLength(1);
    expect(stripe.webhooks.constructEvent(Buffer.from(request.body), signature[0]!, 'whsec_fwd').id).toBe('evt_1');
    expect(values(request.headers, 'content-type')).toEqual(['application/json']);
  });

  it('passes signature headers through untouched when not re-signing', () => {
    const event = relayEvent('{"id":"evt_1"}', [['Stripe-Signature', 't=1,v1=original']]);
    for (const options of [
      { ...base, provider: stripeProvider, secret: 'whsec_fwd', resign: false },
      { ...base, provider: stripeProvider, resign: true }, // no secret: nothing to sign with
      { ...base, resign: true }, // no provider
    ]) {
      expect(values(buildForwardRequest(event, options).headers, 'stripe-signature')).toEqual(['t=1,v1=original']);
    }
  });

  it('re-signs Standard Webhooks keeping the provider message id, verified by standardwebhooks', () => {
    const secret = `whsec_${Buffer.from('unit-test-key-0123456789abcdef').toString('base64')}`;
    const body = '{"type":"user.created","data":{"name":"Zoë"}}';
    const event = relayEvent(body, [
      ['webhook-id', 'msg_provider'],
      ['webhook-timestamp', '1'],
      ['webhook-signature', 'v1,stale'],
    ]);
    const request = buildForwardRequest(event, { ...base, provider: standardWebhooks, secret, resign: true });
    const one = (name: string) => {
      const found = values(request.headers, name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    expect(one('webhook-id')).toBe('msg_provider');
    const headers = { 'webhook-id': one('webhook-id'), 'webhook-timestamp': one('webhook-timestamp'), 'webhook-signature': one('webhook-signature') };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('re-signs GitHub deliveries, verified by @octokit/webhooks-methods', async () => {
    const body = '{"action":"opened","number":1}';
    const event = relayEvent(body, [
      ['X-GitHub-Event', 'pull_request'],
      ['X-GitHub-Delivery', 'd-1'],
      ['X-Hub-Signature-256', 'sha256=stale'],
    ]);
    const request = buildForwardRequest(event, { ...base, provider: github, secret: 'gh-secret', resign: true });
    const signature = values(request.headers, 'x-hub-signature-256');
    expect(signature).toHaveLength(1);
    expect(await githubVerify('gh-secret', body, signature[0]!)).toBe(true);
    expect(values(request.headers, 'x-github-event')).toEqual(['pull_request']);
  });
});

describe('describeEvent', () => {
  it('reads type and id through the provider envelope', () => {
    expect(describeEvent(relayEvent('{"id":"evt_9","type":"charge.succeeded"}'), stripeProvider)).toEqual({ type: 'charge.succeeded', eventId: 'evt_9' });
    expect(describeEvent(relayEvent('{"action":"closed"}', [['X-GitHub-Event', 'pull_request'], ['X-GitHub-Delivery', 'd-2']]), github)).toEqual({ type: 'pull_request.closed', eventId: 'd-2' });
  });

  it('tolerates bodies that are not JSON', () => {
    expect(describeEvent(relayEvent(Buffer.from([0xff, 0xfe])), stripeProvider)).toEqual({ type: undefined, eventId: undefined });
    expect(describeEvent(relayEvent('a=1&b=2'))).toEqual({ type: undefined, eventId: undefined });
  });

  it('guesses common places without a provider', () => {
    expect(describeEvent(relayEvent('{"type":"x.y","id":"evt_1"}'))).toEqual({ type: 'x.y', eventId: 'evt_1' });
    expect(describeEvent(relayEvent('{}', [['X-GitHub-Event', 'push']]))).toMatchObject({ type: 'push' });
  });
});
