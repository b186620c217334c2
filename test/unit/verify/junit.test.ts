import { describe, expect, it } from 'vitest';
import { toJUnitXml } from '../../../src/verify/junit.js';
import { summarize, type CheckResult, type VerifyReport } from '../../../src/verify/report.js';
import { renderReport } from '../../../src/verify/reporters.js';
import { findAll, parseXml } from '../../helpers/verify-xml.js';

const NASTY = 'Error: <html> & "quotes" \'apos\' ]]> \u0000\u0007 bell\r\n\ttab \uD800 lone surrogate 🎉';

function report(results: CheckResult[]): VerifyReport {
  return {
    schemaVersion: 1,
    provider: 'stripe',
    url: 'http://127.0.0.1:3000/webhooks?a=1&b=2',
    events: [...new Set(results.map((r) => r.event))],
    checks: ['delivery', 'forgery'],
    notApplicable: [],
    timeoutMs: 20000,
    concurrency: 4,
    startedAt: '2025-06-01T12:00:00.123Z',
    durationMs: 1234,
    summary: summarize(results),
    ok: false,
    results,
  };
}

const RESULTS: CheckResult[] = [
  { event: 'invoice.paid', check: 'delivery', status: 'passed', expected: '2xx within 20s', got: '200', latencyMs: 12.5, responses: [{ status: 200, latencyMs: 12.5 }] },
  {
    event: 'invoice.paid',
    check: 'forgery',
    status: 'failed',
    expected: '4xx (signed with a wrong secret)',
    got: '500',
    reason: 'the handler crashes on bad signatures: refuse them with 400 or 401 instead',
    eventId: 'evt_1',
    latencyMs: 3,
    responses: [{ status: 500, latencyMs: 3, body: NASTY }],
  },
  { event: 'charge.succeeded', check: 'delivery', status: 'failed', expected: '2xx within 300ms', got: 'timeout', reason: 'no response within 300ms', latencyMs: 301, responses: [{ latencyMs: 301, error: { kind: 'timeout', message: 'no response within 300ms' } }] },
  { event: 'charge.succeeded', check: 'forgery', status: 'skipped', expected: '4xx', reason: 'not run: --fail-fast stopped after the first failure', responses: [] },
];

describe('toJUnitXml', () => {
  const xml = toJUnitXml(report(RESULTS));
  const root = parseXml(xml);

  it('is well-formed XML with an XML declaration', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.name).toBe('testsuites');
  });

  it('has the testsuites > testsuite > testcase > failure|skipped shape', () => {
    for (const suite of root.children) {
      expect(suite.name).toBe('testsuite');
      for (const child of suite.children) expect(['properties', 'testcase']).toContain(child.name);
    }
    for (const testcase of findAll(root, 'testcase')) {
      for (const child of testcase.children) expect(['failure', 'skipped']).toContain(child.name);
      expect(testcase.attributes).toMatchObject({ name: expect.any(String), classname: expect.any(String), time: expect.stringMatching(/^\d+\.\d{3}$/) });
    }
  });

  it('counts match the results, overall and per suite', () => {
    expect(root.attributes).toMatchObject({ tests: '4', failures: '2', errors: '0', skipped: '1', time: '1.234' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures, s.attributes.skipped])).toEqual([
      ['stripe invoice.paid', '2', '1', '0'],
      ['stripe charge.succeeded', '2', '1', '1'],
    ]);
    for (const suite of suites) {
      const cases = findAll(suite, 'testcase');
      expect(cases).toHaveLength(Number(suite.attributes.tests));
      expect(cases.filter((c) => c.children.some((x) => x.name === 'failure'))).toHaveLength(Number(suite.attributes.failures));
      expect(suite.attributes.timestamp).toBe('2025-06-01T12:00:00');
    }
  });

  it('a failure names event, check, status and why, and carries the response body', () => {
    const [failure] = findAll(root, 'failure');
    expect(failure!.attributes.type).toBe('forgery');
    expect(failure!.attributes.message).toBe(
      'invoice.paid forgery: got 500, expected 4xx (signed with a wrong secret): the handler crashes on bad signatures: refuse them with 400 or 401 instead',
    );
    expect(failure!.text).toContain('event: invoice.paid (id evt_1)');
    expect(failure!.text).toContain('got: 500');
    // Markup survives as text; characters XML cannot carry are replaced.
    expect(failure!.text).toContain('response: 500 Error: <html> & "quotes" \'apos\' ]]>');
    expect(failure!.text).toContain('🎉');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('a timeout failure shows the error instead of a status', () => {
    const failure = findAll(root, 'failure')[1]!;
    expect(failure.text).toContain('response: no response within 300ms (301ms)');
  });

  it('escapes attribute values', () => {
    const url = findAll(root, 'property').find((p) => p.attributes.name === 'url');
    expect(url!.attributes.value).toBe('http://127.0.0.1:3000/webhooks?a=1&b=2');
  });

  it('renderReport picks the format', () => {
    expect(renderReport(report(RESULTS), 'junit')).toBe(xml);
    expect(JSON.parse(renderReport(report(RESULTS), 'json'))).toEqual(report(RESULTS));
  });
});
