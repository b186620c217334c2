/**
 * --diagnose: each broken handler refuses a correctly signed delivery for a different reason, and
 * the probes name that reason in one line per event.
 */
import { describe, expect, it } from 'vitest';
import {
  caseSensitiveHandler,
  clockAheadStripeHandler,
  otherSecretHandler,
  refusesPayloadHandler,
  reserializingHandler,
  wrongHeaderGithubHandler,
} from '../helpers/verify-buggy-handlers.js';
import { correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { runVerify, useVerifyFixtures } from '../helpers/verify-run.js';
import type { WebhookHandler } from '../helpers/verify-server.js';

const { environment, serve } = useVerifyFixtures();

async function diagnosed(provider: string, handler: WebhookHandler, checks = 'delivery', events?: string) {
  const url = await serve(handler);
  const { report } = await runVerify(environment, { provider, forward: url, secret: SECRETS[provider], checks, diagnose: true, ...(events ? { events } : {}) });
  const failed = report.results.filter((r) => r.status === 'failed');
  expect(failed.length).toBeGreaterThan(0);
  return failed;
}

describe('--diagnose names the cause of a refused signed delivery', () => {
  it('a handler that verifies a re-serialized body', async () => {
    const [result, ...rest] = await diagnosed('stripe', reserializingHandler('stripe'), 'raw-body', 'invoice.paid');
    expect(rest).toEqual([]);
    expect(result!.diagnosis).toBe('your handler verifies a re-serialized body: verify the raw request bytes, not JSON.stringify(req.body)');
    expect(result!.probes!.at(-1)).toEqual({ probe: 're-serialized body, re-signed', got: '200' });
  });

  it.each([
    ['stripe', 'whsec_a_different_one_0000000000'],
    ['github', 'another-github-secret'],
    ['shopify', 'shpss_ffffffffffffffffffffffffffffffff'],
  ])('a %s handler whose secret differs from the one given', async (provider, other) => {
    const failed = await diagnosed(provider, otherSecretHandler(provider, other));
    for (const result of failed) expect(result.diagnosis).toMatch(/^your handler's secret differs from the one given: it refuses events signed with it exactly as one signed with a random secret \(400\)/);
  });

  it('a handler that read its secret from a file, newline included', async () => {
    const [result] = await diagnosed('stripe', otherSecretHandler('stripe', `${SECRETS.stripe}\n`), 'delivery', 'invoice.paid');
    expect(result!.diagnosis).toBe("your handler's secret differs from the one given: it ends with a newline (read from a file?); trim it");
  });

  it('a handler whose clock runs 30 s ahead with a 10 s tolerance', async () => {
    const [result] = await diagnosed('stripe', clockAheadStripeHandler(30, 10), 'delivery', 'invoice.paid');
    expect(result!.diagnosis).toMatch(/^your clock check rejects a timestamp 30 s old: the handler's clock runs about 30 s ahead/);
  });

  it('a handler that looks the signature header up case-sensitively', async () => {
    const [result] = await diagnosed('stripe', caseSensitiveHandler('stripe', 'stripe-signature'), 'delivery', 'invoice.paid');
    expect(result!.diagnosis).toMatch(/^your handler reads stripe-signature case-sensitively: header names are case-insensitive/);
  });

  it('a GitHub handler reading the wrong signature header', async () => {
    const [result] = await diagnosed('github', wrongHeaderGithubHandler(), 'delivery', 'push');
    expect(result!.diagnosis).toBe('your handler reads the signature from X-Hub-Signature; github sends it in X-Hub-Signature-256');
  });

  it('a handler that accepts the signature but refuses the event', async () => {
    const [result] = await diagnosed('stripe', refusesPayloadHandler('stripe'), 'delivery', 'invoice.paid');
    expect(result!.diagnosis).toMatch(/^the signature seems accepted but the event refused: a wrong secret gets 401, the correct one 422/);
  });

  it('one line per event, and nothing probed for a handler that passes', async () => {
    const url = await serve(correctHandler('stripe'));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, diagnose: true });
    expect(report.ok).toBe(true);
    expect(report.results.every((r) => r.diagnosis === undefined && r.probes === undefined)).toBe(true);
  });
});
