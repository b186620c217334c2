/**
 * A correct handler for each built-in provider, written with that provider's own verification
 * code (see test/helpers/verify-handlers.ts), passes every check for every event type.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { builtinProviders } from '../../src/providers/builtin.js';
import { handshakeFor } from '../../src/providers/handshakes.js';
import { signerFor } from '../../src/providers/sign.js';
import { CHECK_NAMES } from '../../src/verify/report.js';
import { correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { isolatedEnvironment, runVerify } from '../helpers/verify-run.js';
import { startWebhookServer, type TestServer } from '../helpers/verify-server.js';

const environment = isolatedEnvironment();
afterAll(() => environment.cleanup());

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// The seed providers' handlers; providers-verify.test.ts covers the rest.
describe.each(builtinProviders.filter((p) => p.name in SECRETS).map((p) => [p.name, p] as const))('%s: a correct handler', (name, provider) => {
  // A safety net that grows with the catalogue: Stripe's 275 event types are 1,650 requests.
  it('passes every check for every event type', { timeout: Math.max(30_000, provider.events.length * 1_000) }, async () => {
    server = await startWebhookServer(correctHandler(name));
    const { report, progress } = await runVerify(environment, { provider: name, forward: server.url, secret: SECRETS[name] });

    const timestamped = signerFor(provider).toleranceSec !== undefined;
    const checks = CHECK_NAMES.filter((c) => timestamped || c !== 'replay');
    // A handshake is one more row and request, for the providers that have one (Slack).
    const handshakes = handshakeFor(provider) ? 1 : 0;
    expect(report.checks).toEqual(handshakes ? ['handshake', ...checks] : checks);
    expect(report.events).toEqual(provider.events.map((e) => e.name));
    expect(report.notApplicable.map((n) => n.check)).toEqual(timestamped ? [] : ['replay']);

    const failures = report.results.filter((r) => r.status !== 'passed').map((r) => `${r.event} ${r.check}: got ${r.got}: ${r.reason}`);
    expect(failures).toEqual([]);
    const total = provider.events.length * checks.length + handshakes;
    expect(report.summary).toEqual({ total, passed: total, failed: 0, skipped: 0 });
    expect(report.ok).toBe(true);
    expect(progress).toHaveLength(report.summary.total);
    // duplicate sends twice; every other check once.
    expect(server.received).toHaveLength(provider.events.length * (checks.length + 1) + handshakes);
    for (const result of report.results.filter((r) => r.check === 'delivery')) expect(result.latencyMs).toBeGreaterThan(0);
  });
});
