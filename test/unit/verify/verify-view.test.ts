import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { VerifyPlan } from '../../../src/commands/verify.js';
import { summarize, type CheckResult, type VerifyReport } from '../../../src/verify/report.js';
import { createProgress, renderVerifyReport } from '../../../src/ui/verify-view.js';
import type { Terminal } from '../../../src/ui/terminal.js';

const plain = new Chalk({ level: 0 });
const coloured = new Chalk({ level: 1 });

const RESULTS: CheckResult[] = [
  { event: 'invoice.paid', check: 'delivery', status: 'passed', expected: '2xx within 20s', got: '200', latencyMs: 12.4, responses: [{ status: 200, latencyMs: 12.4 }] },
  {
    event: 'invoice.paid',
    check: 'forgery',
    status: 'failed',
    expected: '4xx (signed with a wrong secret)',
    got: '200',
    reason: 'accepted an event signed with a wrong secret: the handler does not verify signatures',
    latencyMs: 3.2,
    responses: [{ status: 200, latencyMs: 3.2, body: '{"received":\n true}' }],
  },
  { event: 'charge.refunded', check: 'delivery', status: 'passed', expected: '2xx within 20s', got: '204', latencyMs: 150, responses: [{ status: 204, latencyMs: 150 }] },
  { event: 'charge.refunded', check: 'forgery', status: 'skipped', expected: '4xx', reason: 'not run: --fail-fast stopped after the first failure', responses: [] },
];

function report(results = RESULTS, extra: Partial<VerifyReport> = {}): VerifyReport {
  return {
    schemaVersion: 1,
    provider: 'stripe',
    url: 'http://localhost:3000/webhooks',
    events: ['invoice.paid', 'charge.refunded'],
    checks: ['delivery', 'forgery'],
    notApplicable: [],
    timeoutMs: 20000,
    concurrency: 4,
    startedAt: new Date(0).toISOString(),
    durationMs: 200,
    summary: summarize(results),
    ok: false,
    results,
    ...extra,
  };
}

describe('renderVerifyReport', () => {
  const lines = renderVerifyReport(report(), plain);

  it('draws an event x check table with status and latency', () => {
    const table = lines.slice(1, 4);
    expect(table[0]).toMatch(/^EVENT\s+DELIVERY\s+FORGERY$/);
    expect(table[1]).toMatch(/^invoice\.paid\s+✓ 200 12ms\s+✗ 200 3\.2ms$/);
    expect(table[2]).toMatch(/^charge\.refunded\s+✓ 204 150ms\s+- not run$/);
  });

  it('lists each failure with event, check, status, expectation, why and the response', () => {
    const at = lines.findIndex((l) => l.startsWith('Failures (1):'));
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '  ✗ invoice.paid forgery: got 200, expected 4xx (signed with a wrong secret)',
      '      accepted an event signed with a wrong secret: the handler does not verify signatures',
      '      response: {"received": true}',
    ]);
  });

  it('ends with exactly "N passed, N failed", after the not-run count', () => {
    expect(lines.at(-1)).toBe('2 passed, 1 failed');
    expect(lines.at(-2)).toBe('1 not run (--fail-fast)');
  });

  it('never colours the closing line, so CI can grep it', () => {
    const colourful = renderVerifyReport(report(), coloured);
    expect(colourful.some((l) => l.includes('\x1b['))).toBe(true);
    expect(colourful.at(-1)).toBe('2 passed, 1 failed');
  });

  it('says where the report file went', () => {
    const withFile = renderVerifyReport(report(), plain, { outputFile: 'verify.xml', reporter: 'junit' });
    expect(withFile.at(-2)).toBe('junit report written to verify.xml');
  });

  it('shows the handler\'s last output when checks fail, and when it died during the run', () => {
    const handler = { command: 'npm run dev', pid: 42, exitedEarly: { code: 1, signal: null }, outputTail: ['TypeError: boom'] };
    const out = renderVerifyReport(report(RESULTS, { handler }), plain);
    expect(out).toContain('The handler ("npm run dev") exited with code 1 during the run.');
    expect(out).toContain('Last output of "npm run dev":');
    expect(out).toContain('  TypeError: boom');
  });

  it('an all-pass run has no failure section', () => {
    const passed = RESULTS.filter((r) => r.status === 'passed');
    const out = renderVerifyReport(report(passed), plain);
    expect(out.some((l) => l.startsWith('Failures'))).toBe(false);
    expect(out.at(-1)).toBe('2 passed, 0 failed');
  });
});

describe('createProgress', () => {
  const plan: VerifyPlan = {
    provider: 'github',
    url: 'http://localhost:3000/',
    events: ['invoice.paid', 'charge.refunded'],
    checks: ['delivery', 'forgery'],
    notApplicable: [{ check: 'replay', reason: 'github signs no timestamp, so there is no replay window to test' }],
    timeoutMs: 10000,
    concurrency: 4,
    total: 4,
    checksPerRow: { 'invoice.paid': 2, 'charge.refunded': 2 },
    start: { command: 'npm run dev', waitFor: 'localhost:3000' },
  };

  function harness(isTTY: boolean) {
    const out: string[] = [];
    const live: string[] = [];
    const term: Terminal = { out: (l) => out.push(l), err: (l) => out.push(l), color: plain };
    const progress = createProgress(term, { isTTY, write: (t) => live.push(t) });
    return { out, live, progress };
  }

  it('announces the plan, what is not checked and the handler it starts', () => {
    const { out, progress } = harness(false);
    progress.plan(plan);
    expect(out[0]).toBe('whcli verify github -> http://localhost:3000/ (2 events x 2 checks: delivery, forgery; timeout 10s, 4 at a time)');
    expect(out[1]).toBe('  replay not checked: github signs no timestamp, so there is no replay window to test');
    expect(out[2]).toBe('  starting "npm run dev", waiting for localhost:3000 to accept connections');
  });

  it('off a TTY, prints a line per event as its last check finishes', () => {
    const { live, progress } = harness(false);
    progress.plan(plan);
    progress.ready();
    RESULTS.forEach((r, i) => progress.result(r, i + 1, 4));
    progress.stop();
    expect(live).toEqual(['  [1/2] invoice.paid: 1 failed (forgery)\n', '  [2/2] charge.refunded: 1 passed\n']);
  });

  it('on a TTY, rewrites one status line and clears it at the end', () => {
    const { live, progress } = harness(true);
    progress.plan(plan);
    progress.ready();
    progress.result(RESULTS[1]!, 1, 4);
    progress.stop();
    expect(live.join('')).toContain('1/4 checks · 1 failed · invoice.paid forgery');
    expect(live.at(-1)).toBe('\r\x1b[2K');
  });
});
