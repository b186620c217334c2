/**
 * The stress checks against real handlers with the bugs they exist for: a non-atomic dedupe, an
 * update handler that assumes order, a small worker pool, a slow handler. No speed is asserted:
 * races are forced by handlers that hold a request until its twin arrives.
 */
import { describe, expect, it } from 'vitest';
import { BURST_ROW } from '../../src/commands/verify.js';
import { toJUnitXml } from '../../src/verify/junit.js';
import { renderVerifyReport } from '../../src/ui/verify-view.js';
import { Chalk } from 'chalk';
import {
  atomicDedupeHandler,
  Effects,
  nonAtomicDedupeHandler,
  slowVerifyingHandler,
  smallPoolHandler,
  subscriptionStoreHandler,
} from '../helpers/verify-buggy-handlers.js';
import { correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { failedChecks, runVerify, useVerifyFixtures } from '../helpers/verify-run.js';
import { findAll, parseXml } from '../helpers/verify-xml.js';
import type { ReceivedWebhook } from '../helpers/verify-server.js';

const { environment, serve, current } = useVerifyFixtures();
const stripeId = ({ body }: ReceivedWebhook) => JSON.parse(body.toString()).id as string;
const plain = new Chalk({ level: 0 });

describe('concurrent duplicates', () => {
  it('fails a dedupe that checks, then inserts under a unique constraint: the second copy gets a 500', async () => {
    const url = await serve(nonAtomicDedupeHandler('stripe', stripeId, new Effects(), { uniqueInsert: true }));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'concurrent', events: 'invoice.paid,charge.refunded' });
    expect(failedChecks(report)).toEqual(['invoice.paid concurrent', 'charge.refunded concurrent']);
    const [result] = report.results;
    expect(result!.got).toMatch(/^(200, 500|500, 200)$/);
    expect(result!.reason).toMatch(/when the same event id arrived twice at once: its dedupe is not atomic/);
    // Both copies carried the same event id.
    const ids = current().received.map(stripeId);
    expect(new Set(ids).size).toBe(2);
    expect(ids).toHaveLength(4);
  });

  it('with --effects, fails a dedupe that answers 2xx twice but does the work twice', async () => {
    const effects = new Effects();
    const url = await serve(nonAtomicDedupeHandler('stripe', stripeId, effects, { uniqueInsert: false }));
    const base = { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'concurrent', events: 'invoice.paid' };
    const without = await runVerify(environment, base);
    expect(failedChecks(without.report)).toEqual([]);
    const { report } = await runVerify(environment, { ...base, effects: `${url.replace('/webhooks', '/effects')}?id={id}` });
    expect(failedChecks(report)).toEqual(['invoice.paid concurrent']);
    expect(report.results[0]).toMatchObject({ got: '200, 200', effects: 2 });
    expect(report.results[0]!.reason).toMatch(/^the work was done 2 times for one event id delivered twice at once/);
  });

  it('passes an atomic dedupe, which does the work once, counted per id or in total', async () => {
    const effects = new Effects();
    const url = await serve(atomicDedupeHandler('stripe', stripeId, effects));
    const effectsUrl = url.replace('/webhooks', '/effects');
    for (const template of [`${effectsUrl}?id={id}`, effectsUrl]) {
      const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'concurrent', events: 'invoice.paid,customer.created', effects: template });
      expect(failedChecks(report)).toEqual([]);
      expect(report.results.map((r) => r.effects)).toEqual([1, 1]);
    }
  });

  it('an --effects URL that answers no count fails the check, saying so', async () => {
    const url = await serve(correctHandler('stripe'));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'concurrent', events: 'invoice.paid', effects: url });
    expect(report.results[0]!.reason).toMatch(/^cannot read --effects: .* answered (401|no count)/);
  });
});

describe('out of order', () => {
  it('fails an update handler that assumes .created came first, for each later event of the object', async () => {
    const url = await serve(subscriptionStoreHandler({ upsert: false }));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'out-of-order', concurrency: '1' });
    expect(failedChecks(report).sort()).toEqual(['customer.subscription.deleted out-of-order', 'customer.subscription.updated out-of-order']);
    const updated = report.results.find((r) => r.event === 'customer.subscription.updated')!;
    expect(updated.got).toBe('500, 200');
    expect(updated.reason).toMatch(/^customer\.subscription\.updated, sent before its object's customer\.subscription\.created, crashed the handler \(500\)/);
    // The two events named the same subscription: the later was sent first.
    const bodies = current().received.map((r) => JSON.parse(r.body.toString()));
    const at = bodies.findIndex((b) => b.type === 'customer.subscription.updated');
    expect(bodies[at + 1].type).toBe('customer.subscription.created');
    expect(bodies[at].data.object.id).toBe(bodies[at + 1].data.object.id);
    expect(bodies[at].data.object.customer).toBe(bodies[at + 1].data.object.customer);
    // Only events with an earlier partner get the check.
    expect(report.results.map((r) => r.event).sort()).toEqual(
      ['charge.refunded', 'customer.subscription.deleted', 'customer.subscription.updated', 'invoice.paid', 'payment_intent.succeeded'].sort(),
    );
  });

  it('passes a handler that upserts', async () => {
    const url = await serve(subscriptionStoreHandler({ upsert: true }));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'out-of-order' });
    expect(failedChecks(report)).toEqual([]);
  });

  it('runs on GitHub pull requests too, linked by the pull request id and number', async () => {
    const url = await serve(correctHandler('github'));
    const { report } = await runVerify(environment, { provider: 'github', forward: url, secret: SECRETS.github, checks: 'out-of-order' });
    expect(report.results.map((r) => r.event).sort()).toEqual(['issue_comment.created', 'pull_request.closed', 'pull_request.synchronize']);
    expect(report.ok).toBe(true);
  });
});

describe('burst', () => {
  it('fails a handler whose worker pool overflows, counting the failures', async () => {
    const url = await serve(smallPoolHandler('github', 2));
    const { report } = await runVerify(environment, { provider: 'github', forward: url, secret: SECRETS.github, checks: 'burst', burst: '6', burstRate: '1000' });
    expect(failedChecks(report)).toEqual([`${BURST_ROW} burst`]);
    const [result] = report.results;
    expect(result!.got).toMatch(/\d×503/);
    expect(result!.reason).toMatch(/^\d of 6 events sent at 1000\/s failed \(\d got 503\)/);
    expect(current().received).toHaveLength(6);
  });

  it('passes a correct handler and reports p50/p99 latency against the timeout, in table, JSON and JUnit', async () => {
    const url = await serve(correctHandler('stripe'));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'delivery,burst', events: 'invoice.paid,customer.created', burst: '8', burstRate: '200' });
    expect(report.ok).toBe(true);
    const burst = report.results.find((r) => r.check === 'burst')!;
    expect(burst).toMatchObject({ event: BURST_ROW, got: '8×200', latency: { count: 8 } });
    expect(burst.latency!.p50).toBeLessThanOrEqual(burst.latency!.p99);
    expect(burst.expected).toBe("2xx to every event within 20s (stripe's timeout), 8 events at 200/s (--burst-rate)");
    // Events of each selected type, in turn.
    const types = current().received.slice(-8).map((r) => JSON.parse(r.body.toString()).type);
    expect(new Set(types)).toEqual(new Set(['invoice.paid', 'customer.created']));
    const text = renderVerifyReport(report, plain).join('\n');
    expect(text).toMatch(/handler latency p50 .+, p99 .+, max .+ \(8 answered\) against a 20s timeout/);
    expect(text).toMatch(/\(all events\)\s+✓ 8×200/);
    const cases = findAll(parseXml(toJUnitXml(report)), 'testcase').map((c) => c.attributes.name);
    expect(cases).toContain(`${BURST_ROW} burst`);
    expect(JSON.parse(JSON.stringify(report)).results.at(-1).latency.count).toBe(8);
  });

  it('warns, without failing, when the handler takes more than half the timeout', async () => {
    // Slower than half of --timeout by design, with seconds of margin below the timeout itself.
    const url = await serve(slowVerifyingHandler('lava', 3100));
    const { report } = await runVerify(environment, { provider: 'lava', forward: url, secret: SECRETS.lava, checks: 'delivery,burst', events: 'customer.created', burst: '3', timeout: '6s' });
    expect(report.ok).toBe(true);
    expect(report.results[0]!.warning).toMatch(/^answered in \d+ms, more than half of 6s \(--timeout\): under load it will time out/);
    expect(report.results[1]!.warning).toMatch(/^p99 latency .+ is more than half of 6s \(--timeout\): under real load this handler will time out/);
    expect(renderVerifyReport(report, plain).join('\n')).toContain('Warnings (2):');
  });
});

describe('choosing checks', () => {
  it('stress checks run only when named; "stress" and "all" name them', async () => {
    const url = await serve(correctHandler('stripe'));
    const run = (checks?: string) => runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, events: 'invoice.paid', ...(checks ? { checks } : {}), burst: '2' });
    expect((await run()).report.checks).toEqual(['delivery', 'forgery', 'unsigned', 'replay', 'duplicate', 'raw-body']);
    expect((await run('stress')).report.checks).toEqual(['concurrent', 'out-of-order', 'burst']);
    expect((await run('all')).report.checks).toHaveLength(9);
  });

  it('an unknown check names the nearest and every choice', async () => {
    const url = await serve(correctHandler('stripe'));
    const error = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, checks: 'concurent' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^unknown check "concurent"\. Did you mean "concurrent"\? Checks: .*out-of-order, burst \(groups: all, default, stress\)\.$/) });
  });

  it('--effects without the concurrent check is a usage error', async () => {
    const url = await serve(correctHandler('stripe'));
    const error = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, effects: url }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringContaining('--effects is read by the concurrent check') });
  });
});
