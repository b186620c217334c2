/**
 * The raw-body check: a correctly signed body whose bytes are not JSON.stringify's fails handlers
 * that verify a re-serialized body, on Stripe and GitHub, and passes handlers that verify raw bytes.
 */
import { describe, expect, it } from 'vitest';
import { github } from '../../src/providers/catalogue/github.js';
import { stripe } from '../../src/providers/catalogue/stripe.js';
import { toJUnitXml } from '../../src/verify/junit.js';
import { reserializingHandler } from '../helpers/verify-buggy-handlers.js';
import { correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { failedChecks, runVerify, useVerifyFixtures } from '../helpers/verify-run.js';
import { findAll, parseXml } from '../helpers/verify-xml.js';

const { environment, serve, current } = useVerifyFixtures();

describe.each([
  ['stripe', stripe.events.map((e) => e.name)],
  ['github', github.events.map((e) => e.name)],
])('raw-body on %s', (provider, events) => {
  it('fails a handler that verifies JSON.stringify(req.body), naming the check and the fix, in the report, JSON and JUnit', async () => {
    const url = await serve(reserializingHandler(provider));
    const { report } = await runVerify(environment, { provider, forward: url, secret: SECRETS[provider], checks: 'raw-body,forgery' });
    expect(failedChecks(report).sort()).toEqual(events.map((e) => `${e} raw-body`).sort());
    for (const result of report.results.filter((r) => r.check === 'raw-body')) {
      expect(result.status).toBe('failed');
      expect(result.reason).toMatch(/^your handler verifies a re-serialized body: verify the raw request bytes/);
      expect(result.expected).toBe('2xx (body laid out unlike JSON.stringify)');
    }
    const json = JSON.parse(JSON.stringify(report));
    expect(json.checks).toEqual(['forgery', 'raw-body']);
    const failures = findAll(parseXml(toJUnitXml(report)), 'failure');
    expect(failures).toHaveLength(events.length);
    for (const failure of failures) {
      expect(failure.attributes.type).toBe('raw-body');
      expect(failure.attributes.message).toContain('your handler verifies a re-serialized body: verify the raw request bytes');
    }
  });

  it('passes a handler that verifies the raw bytes, and the bytes it got are not what JSON.stringify writes', async () => {
    const url = await serve(correctHandler(provider));
    const { report } = await runVerify(environment, { provider, forward: url, secret: SECRETS[provider], checks: 'raw-body' });
    expect(failedChecks(report)).toEqual([]);
    expect(report.summary.passed).toBe(events.length);
    for (const { body } of current().received) {
      const text = body.toString('utf8');
      const parsed = JSON.parse(text);
      expect(JSON.stringify(parsed)).not.toBe(text);
      expect(text).toContain('\n  ');
      expect(text).toMatch(/\\u[0-9a-f]{4}/);
      expect(text).toContain('9007199254740993');
      expect(text).toContain('naïve');
      // The event itself is intact: the provider's own fields parse back as sent.
      if (provider === 'stripe') expect(parsed).toMatchObject({ object: 'event', data: { object: expect.any(Object) } });
    }
  });
});

it('is on by default, so a plain `whcli verify` catches a re-serializing handler', async () => {
  const url = await serve(reserializingHandler('github'));
  const { report } = await runVerify(environment, { provider: 'github', forward: url, secret: SECRETS.github, events: 'push' });
  expect(report.checks).toContain('raw-body');
  expect(failedChecks(report)).toEqual(['push raw-body']);
});
