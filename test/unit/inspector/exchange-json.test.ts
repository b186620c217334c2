import { describe, expect, it } from 'vitest';
import { exchangeDetail, exchangeSummary } from '../../../src/inspector/exchange-json.js';
import type { Exchange } from '../../../src/inspector/exchange-log.js';

function exchange(overrides: Partial<Exchange> = {}, body: Buffer = Buffer.from('{"id":"evt_1"}')): Exchange {
  return {
    id: '7',
    eventId: 'rev_1',
    attempt: 1,
    edited: false,
    receivedAt: 1,
    sentAt: 2,
    eventType: 'invoice.paid',
    providerEventId: 'evt_1',
    received: {
      method: 'POST',
      path: '/stripe',
      query: 'a=1',
      headers: [['Content-Type', 'application/json'], ['Stripe-Signature', 't=1,v1=old'], ['X-Dup', 'a'], ['X-Dup', 'b']],
      body,
    },
    sent: {
      url: 'http://127.0.0.1:3000/hooks/stripe?a=1',
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Dup': ['a', 'b'], 'stripe-signature': 't=2,v1=new' },
      body,
    },
    result: { ok: false, status: 500, durationMs: 3, headers: { 'content-type': 'text/plain' }, body: 'boom', bodyBytes: 4 },
    ...overrides,
  };
}

describe('exchange JSON', () => {
  it('summarizes a row', () => {
    expect(exchangeSummary(exchange())).toEqual({
      id: '7', eventId: 'rev_1', attempt: 1, replayOf: undefined, edited: false, receivedAt: 1, sentAt: 2, method: 'POST',
      path: '/stripe?a=1', eventType: 'invoice.paid', providerEventId: 'evt_1', ok: false, status: 500, error: undefined, durationMs: 3,
    });
    expect(exchangeSummary(exchange({ received: { ...exchange().received, path: '', query: '' } })).path).toBe('/');
  });

  it('marks the headers whcli changed: the signature, not repeated or re-cased ones', () => {
    const detail = exchangeDetail(exchange());
    expect(detail.sent.signed).toEqual(['stripe-signature']);
    expect(detail.sent.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['X-Dup', 'a'],
      ['X-Dup', 'b'],
      ['stripe-signature', 't=2,v1=new'],
    ]);
    expect(detail.sent.body).toBeUndefined();
    expect(detail.response).toEqual({ status: 500, durationMs: 3, headers: [['content-type', 'text/plain']], body: 'boom', bodyBytes: 4, error: undefined });
    expect(detail.curl).toMatch(/^curl -sS -g 'http:\/\/127\.0\.0\.1:3000\/hooks\/stripe\?a=1'/);
  });

  it('shows bodies as text, JSON or base64', () => {
    const text = exchangeDetail(exchange({}, Buffer.from('a=1&b=Zoë'))).received.body;
    expect(text).toEqual({ size: 10, contentType: 'application/json', text: 'a=1&b=Zoë', json: false });
    const json = exchangeDetail(exchange()).received.body;
    expect(json.json).toBe(true);
    const binary = exchangeDetail(exchange({}, Buffer.from([0xff, 0x00, 0xc3]))).received.body;
    expect(binary).toEqual({ size: 3, contentType: 'application/json', base64: '/wDD', json: false });
    expect(exchangeDetail(exchange({}, Buffer.alloc(0))).received.body).toEqual({ size: 0, contentType: 'application/json', text: '', json: false });
  });

  it('includes the sent body only when it was edited', () => {
    const base = exchange();
    const edited = exchangeDetail({ ...base, edited: true, sent: { ...base.sent, body: Buffer.from('{"id":"evt_2"}') } });
    expect(edited.sent.body).toMatchObject({ text: '{"id":"evt_2"}', json: true });
    // Equal bytes in another Buffer are not an edit.
    expect(exchangeDetail({ ...base, sent: { ...base.sent, body: Buffer.from(base.received.body) } }).sent.body).toBeUndefined();
  });

  it('reports a delivery with no answer', () => {
    const detail = exchangeDetail(exchange({ result: { ok: false, durationMs: 1, error: { kind: 'refused', message: 'connection refused' } } }));
    expect(detail).toMatchObject({ ok: false, error: 'refused', response: { headers: [], error: { kind: 'refused' } } });
  });
});
