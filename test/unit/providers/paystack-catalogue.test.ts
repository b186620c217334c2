/**
 * Paystack's catalogue against its webhook docs: the 24 documented events, and fields named and
 * typed as in Paystack's samples (numeric ids, refund amounts as strings, created_at).
 */
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../src/fixtures/load.js';
import { renderEvent } from '../../../src/fixtures/render-event.js';
import { paystack } from '../../../src/providers/catalogue/paystack.js';

const DOCUMENTED = [
  'charge.success', 'charge.dispute.create', 'charge.dispute.remind', 'charge.dispute.resolve',
  'customeridentification.success', 'customeridentification.failed',
  'dedicatedaccount.assign.success', 'dedicatedaccount.assign.failed',
  'invoice.create', 'invoice.update', 'invoice.payment_failed',
  'paymentrequest.pending', 'paymentrequest.success',
  'refund.pending', 'refund.processing', 'refund.processed', 'refund.failed',
  'subscription.create', 'subscription.disable', 'subscription.not_renew', 'subscription.expiring_cards',
  'transfer.success', 'transfer.failed', 'transfer.reversed',
];

const render = async (event: string) => {
  const body = JSON.parse(renderEvent(paystack, event, await loadFixture(paystack, event)).body.toString('utf8')) as { event: string; data: Record<string, unknown> };
  return body;
};

describe('Paystack catalogue', () => {
  it('lists exactly the 24 documented events', () => {
    expect(paystack.events.map((e) => e.name).sort()).toEqual([...DOCUMENTED].sort());
  });

  it.each(DOCUMENTED)('%s: { event, data } with numeric ids, as in the samples', async (event) => {
    const body = await render(event);
    expect(Object.keys(body)).toEqual(['event', 'data']);
    expect(body.event).toBe(event);
    if ('id' in body.data) expect(typeof body.data.id).toBe('number');
    // Paystack's samples write created_at; only transfers and subscriptions use createdAt.
    if (!/^(transfer|subscription)\./.test(event)) expect(body.data).not.toHaveProperty('createdAt');
  });

  it('refund amounts are strings, charge amounts numbers (as Paystack sends them)', async () => {
    for (const event of DOCUMENTED.filter((e) => e.startsWith('refund.'))) expect(typeof (await render(event)).data.amount).toBe('string');
    expect(typeof (await render('charge.success')).data.amount).toBe('number');
  });

  it('subscription.expiring_cards carries a list', async () => {
    const body = await render('subscription.expiring_cards');
    expect(Array.isArray(body.data)).toBe(true);
  });

  it('states its 30 s timeout as assumed', () => {
    expect(paystack.timeoutMs).toBe(30_000);
    expect(paystack.notes.join(' ')).toMatch(/assumes 30 s.*assumed/);
  });
});
