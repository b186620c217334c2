/**
 * The requests each check sends, inspected through an injected `send` and judged with the
 * providers' official verifiers (stripe, standardwebhooks, @octokit/webhooks-methods).
 */
import { verify as githubVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { DeliveryResult, OutgoingRequest } from '../../../src/delivery/send.js';
import { github } from '../../../src/providers/catalogue/github.js';
import { standardWebhooks } from '../../../src/providers/catalogue/standard-webhooks.js';
import { stripe } from '../../../src/providers/catalogue/stripe.js';
import type { ProviderSpec } from '../../../src/providers/types.js';
import { notApplicableChecks, REPLAY_MARGIN_SEC, runCheck, type CheckContext } from '../../../src/verify/checks.js';
import type { CheckName } from '../../../src/verify/report.js';

const STRIPE_SECRET = 'whsec_test_unit_0123456789';
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GITHUB_SECRET = 'gh-unit-secret';
const NOW_MS = 1_750_000_000_000;

type Answer = Partial<DeliveryResult>;

function harness(provider: ProviderSpec, secret: string, answers: Answer[] = []) {
  const sent: OutgoingRequest[] = [];
  const ctx: CheckContext = {
    provider,
    event: provider.events[0]!.name,
    fixture: provider.envelope.dataPath ? { object: { id: 'obj_1', amount: 4200 } } : { id: 'obj_1', amount: 4200 },
    secret,
    url: new URL('http://127.0.0.1:9/webhooks'),
    timeoutMs: 1000,
    timeoutText: '1s (--timeout)',
    nowMs: () => NOW_MS,
    send: async (request) => {
      sent.push(request);
      const answer = answers[sent.length - 1] ?? { status: 200 };
      return { ok: (answer.status ?? 0) < 300, durationMs: 5 * sent.length, body: 'ok', ...answer } as DeliveryResult;
    },
  };
  return { ctx, sent, run: (check: CheckName) => runCheck(check, ctx) };
}

const lower = (headers: OutgoingRequest['headers']) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));

function stripeAccepts(request: OutgoingRequest, secret: string, toleranceSec?: number, receivedAtMs?: number): boolean {
  try {
    Stripe.webhooks.signature.verifyHeader(Buffer.from(request.body), lower(request.headers)['stripe-signature']!, secret, toleranceSec, undefined, receivedAtMs);
    return true;
  } catch {
    return false;
  }
}

describe('delivery', () => {
  it('sends the rendered event signed with the real secret, to the target, with the timeout', async () => {
    const { run, sent } = harness(stripe, STRIPE_SECRET);
    const result = await run('delivery');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url.toString()).toBe('http://127.0.0.1:9/webhooks');
    expect(sent[0]!.timeoutMs).toBe(1000);
    expect(stripeAccepts(sent[0]!, STRIPE_SECRET)).toBe(true);
    expect(JSON.parse(Buffer.from(sent[0]!.body).toString()).data.object).toEqual({ id: 'obj_1', amount: 4200 });
    expect(result).toMatchObject({ check: 'delivery', status: 'passed', got: '200', expected: '2xx within 1s (--timeout)', latencyMs: 5 });
    expect(result.reason).toBeUndefined();
  });

  it('fails a 400 to a correctly signed event, naming the status', async () => {
    const { run } = harness(stripe, STRIPE_SECRET, [{ status: 400 }]);
    expect(await run('delivery')).toMatchObject({ status: 'failed', got: '400', reason: expect.stringMatching(/refused/) });
  });
});

describe('forgery', () => {
  it('signs with a secret that is not the real one', async () => {
    const { run, sent } = harness(stripe, STRIPE_SECRET, [{ status: 401 }]);
    const result = await run('forgery');
    expect(lower(sent[0]!.headers)['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(stripeAccepts(sent[0]!, STRIPE_SECRET)).toBe(false);
    expect(result).toMatchObject({ status: 'passed', got: '401' });
  });

  it('uses a fresh wrong secret that standard-webhooks can still decode', async () => {
    const { run, sent } = harness(standardWebhooks, SW_SECRET, [{ status: 400 }]);
    await run('forgery');
    const headers = lower(sent[0]!.headers);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(() => new Webhook(SW_SECRET).verify(Buffer.from(sent[0]!.body), headers)).toThrow();
  });

  it('fails a 2xx (no verification) and a 5xx (crash) with different reasons', async () => {
    const accepted = await harness(github, GITHUB_SECRET, [{ status: 200 }]).run('forgery');
    expect(accepted).toMatchObject({ status: 'failed', got: '200', reason: expect.stringContaining('does not verify signatures') });
    const crashed = await harness(github, GITHUB_SECRET, [{ status: 500 }]).run('forgery');
    expect(crashed).toMatchObject({ status: 'failed', got: '500', reason: expect.stringContaining('crashes on bad signatures') });
  });
});

describe('unsigned', () => {
  it('leaves out every header the scheme writes and keeps the provider\'s others', async () => {
    const { run, sent } = harness(github, GITHUB_SECRET, [{ status: 401 }]);
    const result = await run('unsigned');
    const headers = lower(sent[0]!.headers);
    expect(headers['x-hub-signature-256']).toBeUndefined();
    expect(headers['x-hub-signature']).toBeUndefined();
    expect(headers['x-github-event']).toBe(github.events[0]!.name.split('.')[0]);
    expect(headers['content-type']).toBe('application/json');
    expect(result).toMatchObject({ status: 'passed', expected: '4xx (no X-Hub-Signature-256, X-Hub-Signature)' });
  });

  it('leaves out all three standard-webhooks headers', async () => {
    const { run, sent } = harness(standardWebhooks, SW_SECRET, [{ status: 400 }]);
    await run('unsigned');
    const headers = lower(sent[0]!.headers);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) expect(headers[name]).toBeUndefined();
  });
});

describe('replay', () => {
  it('signs correctly, but dated tolerance + margin seconds ago', async () => {
    const { run, sent } = harness(stripe, STRIPE_SECRET, [{ status: 400 }]);
    const result = await run('replay');
    const header = lower(sent[0]!.headers)['stripe-signature']!;
    const timestamp = Number(/t=(\d+)/.exec(header)![1]);
    expect(NOW_MS / 1000 - timestamp).toBe(300 + REPLAY_MARGIN_SEC);
    // A valid signature, refused only for its age: Stripe accepts it at its own time, not at ours.
    expect(stripeAccepts(sent[0]!, STRIPE_SECRET, 300, timestamp * 1000)).toBe(true);
    expect(stripeAccepts(sent[0]!, STRIPE_SECRET, 300, NOW_MS)).toBe(false);
    expect(result).toMatchObject({ status: 'passed', expected: '4xx (signature 360s old)' });
  });

  it('fails a 2xx: the handler ignores timestamps', async () => {
    const result = await harness(stripe, STRIPE_SECRET, [{ status: 200 }]).run('replay');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/timestamped 360s ago \(tolerance 300s\): the handler ignores the signature timestamp/);
  });

  it('does not apply to schemes without a timestamp', () => {
    expect(notApplicableChecks(github)).toEqual([{ check: 'replay', reason: expect.stringContaining('github signs no timestamp') }]);
    expect(notApplicableChecks(stripe)).toEqual([]);
    expect(notApplicableChecks(standardWebhooks)).toEqual([]);
  });
});

describe('duplicate', () => {
  it('sends the same body and event id twice, each validly signed', async () => {
    const { run, sent } = harness(github, GITHUB_SECRET);
    const result = await run('duplicate');
    expect(sent).toHaveLength(2);
    expect(Buffer.from(sent[0]!.body).equals(Buffer.from(sent[1]!.body))).toBe(true);
    const [first, second] = sent.map((s) => lower(s.headers));
    expect(first!['x-github-delivery']).toBe(second!['x-github-delivery']);
    expect(result.eventId).toBe(first!['x-github-delivery']);
    for (const request of sent) {
      expect(await githubVerify(GITHUB_SECRET, Buffer.from(request.body).toString(), lower(request.headers)['x-hub-signature-256']!)).toBe(true);
    }
    expect(result).toMatchObject({ status: 'passed', got: '200, 200', latencyMs: 10 });
  });

  it('fails a 500 to the repeat as not idempotent, and a 409 as a refusal', async () => {
    const crashed = await harness(stripe, STRIPE_SECRET, [{ status: 200 }, { status: 500 }]).run('duplicate');
    expect(crashed).toMatchObject({ status: 'failed', got: '200, 500', reason: expect.stringContaining('not idempotent') });
    const conflict = await harness(stripe, STRIPE_SECRET, [{ status: 200 }, { status: 409 }]).run('duplicate');
    expect(conflict).toMatchObject({ status: 'failed', got: '200, 409', reason: expect.stringContaining('repeated event id was refused') });
  });

  it('does not send the repeat when the first delivery fails', async () => {
    const { run, sent } = harness(stripe, STRIPE_SECRET, [{ status: 503 }]);
    const result = await run('duplicate');
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({ status: 'failed', got: '503', reason: expect.stringMatching(/^the first delivery failed/) });
  });
});

describe('every check', () => {
  it('renders a fresh event id per check', async () => {
    const { ctx, sent } = harness(stripe, STRIPE_SECRET, [{ status: 200 }, { status: 400 }, { status: 400 }]);
    await runCheck('delivery', ctx);
    await runCheck('forgery', ctx);
    await runCheck('unsigned', ctx);
    const ids = sent.map((s) => JSON.parse(Buffer.from(s.body).toString()).id);
    expect(new Set(ids).size).toBe(3);
  });
});
