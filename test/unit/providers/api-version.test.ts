import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { fixturePath, loadFixture } from '../../../src/fixtures/load.js';
import { renderEvent } from '../../../src/fixtures/render-event.js';
import { apiVersionOf, chosenApiVersion, withApiVersion } from '../../../src/providers/api-version.js';
import { github } from '../../../src/providers/catalogue/github.js';
import { stripe } from '../../../src/providers/catalogue/stripe.js';
import { STRIPE_API_VERSION } from '../../../src/providers/catalogue/stripe-events.js';
import { thrown } from '../../helpers/thrown.js';

const usageError = (fn: () => unknown) => thrown(UsageError, fn);

const body = (provider: typeof stripe, event: string, fixture: unknown) =>
  JSON.parse(renderEvent(provider, event, fixture).body.toString('utf8')) as { api_version: string; data: { object: Record<string, unknown>; previous_attributes?: unknown } };

describe('--api-version', () => {
  it('defaults to the version the stripe package declares, named in the envelope', async () => {
    expect(apiVersionOf(stripe)).toBe(STRIPE_API_VERSION);
    expect(body(stripe, 'invoice.paid', await loadFixture(stripe, 'invoice.paid')).api_version).toBe(STRIPE_API_VERSION);
  });

  it('2024-06-20 reads that version\'s fixtures, and the envelope follows', async () => {
    const old = withApiVersion(stripe, '2024-06-20');
    expect(fixturePath(old, 'invoice.paid')).toMatch(/fixtures\/stripe\/2024-06-20\/invoice\.paid\.json$/);
    const invoice = body(old, 'invoice.paid', await loadFixture(old, 'invoice.paid'));
    expect(invoice.api_version).toBe('2024-06-20');
    // Before 2025-03-31 an invoice said paid, and named its charge and payment intent itself.
    expect(invoice.data.object).toMatchObject({ status: 'paid', paid: true, charge: expect.stringMatching(/^ch_/), payment_intent: expect.stringMatching(/^pi_/) });
    expect(invoice.data.object).not.toHaveProperty('parent');
    const current = body(stripe, 'invoice.paid', await loadFixture(stripe, 'invoice.paid'));
    expect(current.data.object).not.toHaveProperty('paid');
    // ...and a subscription carried its billing period.
    const subscription = body(old, 'customer.subscription.updated', await loadFixture(old, 'customer.subscription.updated'));
    expect(subscription.data.object).toMatchObject({ current_period_start: expect.any(Number), current_period_end: expect.any(Number) });
    expect(subscription.data.previous_attributes).toEqual({ cancel_at_period_end: false });
  });

  it('takes the date alone for a named release', () => {
    expect(apiVersionOf(withApiVersion(stripe, STRIPE_API_VERSION.split('.')[0]))).toBe(STRIPE_API_VERSION);
  });

  it('refuses a version without fixtures, naming the known ones', () => {
    const error = usageError(() => withApiVersion(stripe, '2024-06-21'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`unknown --api-version "2024-06-21" for stripe. Did you mean "2024-06-20"? Known: ${STRIPE_API_VERSION}, 2024-06-20.`);
    expect(usageError(() => withApiVersion(github, '2024-06-20')).message).toMatch(/github has no API versions/);
  });

  it('reads WHCLI_API_VERSION only for providers that have versions, the flag first', () => {
    const environment = { env: { WHCLI_API_VERSION: '2024-06-20' } };
    expect(chosenApiVersion(undefined, stripe, environment)).toBe('2024-06-20');
    expect(chosenApiVersion(undefined, github, environment)).toBeUndefined();
    expect(chosenApiVersion(STRIPE_API_VERSION, stripe, environment)).toBe(STRIPE_API_VERSION);
  });
});
