/**
 * Handlers with the classic webhook bugs: each fails exactly the checks that catch its bug, and
 * every failure names the event, the check, the status and why.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { verifyFailure } from '../../src/commands/verify.js';
import { WhcliError } from '../../src/errors.js';
import { stripe } from '../../src/providers/catalogue/stripe.js';
import type { CheckResult } from '../../src/verify/report.js';
import {
  acceptsEverything,
  correctHandler,
  crashesOnBadSignature,
  failsOnRepeat,
  ignoresTimestamps,
  SECRETS,
  slowHandler,
} from '../helpers/verify-handlers.js';
import { failedChecks, isolatedEnvironment, runVerify } from '../helpers/verify-run.js';
import { freePort, startWebhookServer, type TestServer, type WebhookHandler } from '../helpers/verify-server.js';
import { findAll, parseXml } from '../helpers/verify-xml.js';

const environment = isolatedEnvironment();
afterAll(() => environment.cleanup());

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// A spread of Stripe's catalogue (every 20th event type): how a broken handler fails does not depend
// on the event, and test/integration/verify-providers.test.ts runs the whole catalogue.
const STRIPE_EVENTS = stripe.events.map((e) => e.name).filter((_, index) => index % 20 === 0);
const events = STRIPE_EVENTS.join(',');
const every = (check: string) => STRIPE_EVENTS.map((event) => `${event} ${check}`);

async function serve(handler: WebhookHandler): Promise<string> {
  server = await startWebhookServer(handler);
  return server.url;
}

/** Every failure carries the four things a reader needs. */
function expectExplained(result: CheckResult) {
  expect(result.event).toBeTruthy();
  expect(result.check).toBeTruthy();
  expect(result.got).toMatch(/^(\d{3}|timeout|refused|reset|error)(, \d{3})?$/);
  expect(result.reason?.length).toBeGreaterThan(20);
}

describe('broken handlers', () => {
  it('one that skips signature checks fails forgery, unsigned and replay, for every event', async () => {
    const url = await serve(acceptsEverything);
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, events });
    expect(failedChecks(report).sort()).toEqual([...every('forgery'), ...every('unsigned'), ...every('replay')].sort());
    const forgery = report.results.find((r) => r.check === 'forgery')!;
    expect(forgery).toMatchObject({ got: '200', expected: '4xx (signed with a wrong secret)' });
    expect(forgery.reason).toBe('accepted an event signed with a wrong secret: the handler does not verify signatures');
    const unsigned = report.results.find((r) => r.check === 'unsigned')!;
    expect(unsigned.reason).toBe('accepted an event without Stripe-Signature: the handler does not verify signatures');
    report.results.filter((r) => r.status === 'failed').forEach(expectExplained);
    expect(report.ok).toBe(false);
    const failure = verifyFailure(report);
    expect(failure).toBeInstanceOf(WhcliError);
    expect(failure).toMatchObject({ code: 'WHCLI_ERR_CHECKS_FAILED', exitCode: 1, message: '' });
  });

  it('one slower than --timeout fails delivery, with the latency and the limit', async () => {
    const url = await serve(slowHandler('github', 600));
    const { report } = await runVerify(environment, { provider: 'github', forward: url, secret: SECRETS.github, events: 'push', checks: 'delivery', timeout: '300ms' });
    expect(report.timeoutMs).toBe(300);
    expect(report.results).toHaveLength(1);
    const [delivery] = report.results;
    expect(delivery).toMatchObject({ event: 'push', check: 'delivery', status: 'failed', got: 'timeout', expected: '2xx within 300ms (--timeout)' });
    expect(delivery!.reason).toMatch(/^no response within 300ms \(--timeout\): the provider counts the delivery as failed/);
    expect(delivery!.latencyMs).toBeGreaterThanOrEqual(290);
    expect(delivery!.latencyMs).toBeLessThan(600);
  });

  it('one that answers 500 to a repeated event id fails duplicate only', async () => {
    const url = await serve(failsOnRepeat('stripe', ({ body }) => JSON.parse(body.toString()).id));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, events });
    expect(failedChecks(report)).toEqual(every('duplicate'));
    const duplicate = report.results.find((r) => r.check === 'duplicate')!;
    expect(duplicate).toMatchObject({ got: '200, 500', expected: '2xx twice (same event id)' });
    expect(duplicate.reason).toMatch(/not idempotent/);
    expect(duplicate.responses[1]!.body).toContain(duplicate.eventId!);
  });

  it('one that ignores timestamps fails replay only', async () => {
    const url = await serve(ignoresTimestamps);
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, events });
    expect(failedChecks(report)).toEqual(every('replay'));
    const replay = report.results.find((r) => r.check === 'replay')!;
    expect(replay.got).toBe('200');
    expect(replay.reason).toBe(
      'accepted a correctly signed event timestamped 360s ago (tolerance 300s): the handler ignores the signature timestamp, so a captured request can be replayed',
    );
  });

  it('one that crashes on bad signatures fails forgery and unsigned with a 5xx explanation', async () => {
    const url = await serve(crashesOnBadSignature('github'));
    const { report } = await runVerify(environment, { provider: 'github', forward: url, secret: SECRETS.github, events: 'push,ping' });
    expect(failedChecks(report)).toEqual(['push forgery', 'push unsigned', 'ping forgery', 'ping unsigned']);
    for (const result of report.results.filter((r) => r.status === 'failed')) {
      expect(result.got).toBe('500');
      expect(result.reason).toMatch(/crashes on (bad|missing) signatures: refuse them with 400 or 401 instead/);
    }
  });

  it('a handler using the wrong secret fails delivery, duplicate and raw-body but refuses forgeries', async () => {
    const url = await serve(correctHandler('stripe', 'whsec_someone_elses'));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, events: 'invoice.paid' });
    expect(failedChecks(report)).toEqual(['invoice.paid delivery', 'invoice.paid duplicate', 'invoice.paid raw-body']);
    expect(report.results[0]!.reason).toMatch(/same secret/);
  });
});

describe('an unreachable handler', () => {
  it('is one clear error, before any check runs', async () => {
    const port = await freePort();
    const run = runVerify(environment, { provider: 'stripe', forward: `127.0.0.1:${port}/webhooks`, secret: SECRETS.stripe });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WhcliError);
    expect(error).toMatchObject({ code: 'WHCLI_ERR_UNREACHABLE', exitCode: 1 });
    expect((error as Error).message).toBe(
      `cannot reach the handler at http://127.0.0.1:${port}/webhooks: connection refused by 127.0.0.1:${port}; start it first, or let whcli start it: --start "npm run dev"`,
    );
  });

  it('is one clear error when every request is refused after the probe', async () => {
    const url = await serve(acceptsEverything);
    let results = 0;
    const error = await runVerify(
      environment,
      { provider: 'lava', forward: url, secret: SECRETS.lava },
      {
        send: async (request) => ({ ok: false, durationMs: 1, error: { kind: 'refused', message: `connection refused by ${request.url.host}` } }),
        onResult: () => results++,
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WHCLI_ERR_UNREACHABLE', message: expect.stringContaining('every request was refused') });
  });
});

describe('run control', () => {
  it('--fail-fast starts nothing after the first failure', async () => {
    const url = await serve(acceptsEverything);
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, events, failFast: true, concurrency: '1' });
    expect(report.summary).toMatchObject({ passed: 1, failed: 1, skipped: STRIPE_EVENTS.length * 6 - 2 });
    const skipped = report.results.filter((r) => r.status === 'skipped');
    expect(skipped[0]).toMatchObject({ reason: 'not run: --fail-fast stopped after the first failure', responses: [] });
  });

  it('Ctrl-C stops the run: a partial report, and exit code 130', async () => {
    const url = await serve(correctHandler('stripe'));
    const stop = new AbortController();
    const { report } = await runVerify(
      environment,
      { provider: 'stripe', forward: url, secret: SECRETS.stripe, events, concurrency: '1' },
      { signal: stop.signal, onResult: () => stop.abort('SIGINT') },
    );
    expect(report.interrupted).toBe('SIGINT');
    expect(report.ok).toBe(false);
    expect(report.summary.passed).toBe(1);
    expect(report.summary.skipped).toBe(report.summary.total - 1);
    expect(report.results.find((r) => r.status === 'skipped')!.reason).toBe('not run: interrupted by SIGINT');
    expect(verifyFailure(report)).toMatchObject({ exitCode: 130 });
  });

  it('--concurrency bounds the requests in flight at the handler', async () => {
    let inFlight = 0;
    let peak = 0;
    const inner = correctHandler('lava');
    const url = await serve(async (request) => {
      peak = Math.max(peak, ++inFlight);
      // Yield to the event loop so that concurrent requests can overlap.
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return inner(request);
    });
    const { report } = await runVerify(environment, { provider: 'lava', forward: url, secret: SECRETS.lava, concurrency: '2' });
    expect(report.ok).toBe(true);
    expect(peak).toBeLessThanOrEqual(2);
  });
});

describe('reporters', () => {
  it('--reporter junit --output writes JUnit XML whose counts match the run', async () => {
    const url = await serve(acceptsEverything);
    const output = join(environment.cwd, 'verify.xml');
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe, events, reporter: 'junit', output: 'verify.xml' });
    const root = parseXml(await readFile(output, 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({
      tests: String(report.summary.total),
      failures: String(report.summary.failed),
      skipped: '0',
      errors: '0',
    });
    const suites = findAll(root, 'testsuite');
    expect(suites).toHaveLength(STRIPE_EVENTS.length);
    expect(suites.reduce((n, s) => n + Number(s.attributes.tests), 0)).toBe(report.summary.total);
    const testcases = findAll(root, 'testcase');
    expect(testcases).toHaveLength(report.summary.total);
    const failures = findAll(root, 'failure');
    expect(failures).toHaveLength(report.summary.failed);
    for (const failure of failures) {
      expect(failure.attributes.message).toMatch(/^\S+ (forgery|unsigned|replay): got 200, expected 4xx/);
      expect(failure.text).toContain('response: 200 {"received":true}');
    }
  });

  it('--reporter json --output writes the report itself', async () => {
    const url = await serve(correctHandler('lava'));
    const { report } = await runVerify(environment, { provider: 'lava', forward: url, secret: SECRETS.lava, reporter: 'json', output: 'verify.json' });
    const written = JSON.parse(await readFile(join(environment.cwd, 'verify.json'), 'utf8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(report)));
    expect(written).toMatchObject({ schemaVersion: 1, provider: 'lava', ok: true, summary: { failed: 0 } });
    expect(written.results[0]).toMatchObject({ event: 'customer.created', check: 'delivery', status: 'passed', got: '200' });
  });
});

describe('settings', () => {
  it('reads provider, forward and secret from whcli.config.json', async () => {
    const url = await serve(correctHandler('paystack'));
    const project = isolatedEnvironment();
    try {
      await writeFile(join(project.cwd, 'whcli.config.json'), JSON.stringify({ provider: 'paystack', forward: url, secret: SECRETS.paystack }));
      const { report } = await runVerify(project, { events: 'charge.success' });
      expect(report).toMatchObject({ provider: 'paystack', url, ok: true });
    } finally {
      project.cleanup();
    }
  });

  it('reads the secret from WHCLI_SECRET', async () => {
    const url = await serve(correctHandler('slack'));
    const { report } = await runVerify({ ...environment, env: { WHCLI_SECRET: SECRETS.slack } }, { provider: 'slack', forward: url, events: 'message' });
    expect(report.ok).toBe(true);
  });

  it.each([
    [{ checks: 'forgry' }, 'unknown check "forgry". Did you mean "forgery"?'],
    [{ checks: 'replay', provider: 'github' }, '--checks replay: github signs no timestamp'],
    [{ events: 'invoice.payed' }, 'unknown event "invoice.payed" for provider stripe'],
    [{ forward: undefined }, 'verify needs --forward'],
    [{ provider: undefined }, 'verify needs --provider'],
    [{ output: 'x.xml' }, '--output writes a machine-readable report'],
    [{ concurrency: '0' }, '--concurrency must be a positive whole number'],
    [{ timeout: 'soon' }, 'invalid --timeout "soon"'],
    [{ reporter: 'tap' }, 'unknown reporter "tap"'],
    [{ secret: undefined }, 'no signing secret'],
  ])('usage error (exit 2): %o', async (override, message) => {
    const options = { provider: 'stripe', forward: '127.0.0.1:9/webhooks', secret: 's', ...override };
    const error = await runVerify(environment, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WhcliError);
    expect((error as WhcliError).exitCode).toBe(2);
    expect((error as Error).message).toContain(message);
  });
});
