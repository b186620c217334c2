/**
 * The views that print what a sender or a handler wrote (a delivery line, the history table, the
 * verify report) write its control characters out instead of passing them to the terminal.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { summarize, type CheckResult } from '../../../src/verify/report.js';
import { printHistory } from '../../../src/ui/history-view.js';
import { printDelivery, printStatus } from '../../../src/ui/listen-view.js';
import type { Terminal } from '../../../src/ui/terminal.js';
import { renderVerifyReport } from '../../../src/ui/verify-view.js';

const ESC_TEXT = 'x\u001b[2J\u001b]0;title\u0007\u009b1m';
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function capture(): Terminal & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l), color: new Chalk({ level: 0 }) };
}

describe('sender text in the human views', () => {
  it('a delivery line, a failed one with the handler answer, and a relay close reason', () => {
    const term = capture();
    const report = { ok: false, status: 500, durationMs: 1, body: ESC_TEXT };
    printDelivery(term, { id: ESC_TEXT, seq: 1, receivedAt: 0, method: 'POST', path: `/${ESC_TEXT}`, report });
    printDelivery(term, { id: 'rev_1', seq: 2, receivedAt: 0, method: 'POST', path: '', eventType: ESC_TEXT, eventId: ESC_TEXT, report: { ok: false, durationMs: 0, error: { kind: 'reset', message: ESC_TEXT } } });
    printStatus(term, { type: 'disconnected', reason: ESC_TEXT, retryInMs: 100 }, { value: true });
    expect(term.lines).toHaveLength(3);
    for (const line of term.lines) {
      expect(line).not.toMatch(CONTROL);
      expect(line).toContain('x\\e[2J\\e]0;title\\u0007\\u009b1m');
    }
  });

  it('the history table', () => {
    const term = capture();
    const entry = { id: ESC_TEXT, seq: 1, channel: 'ch', receivedAt: 0, deliveredAt: 0, method: 'POST', path: '/p', query: '', headers: [], body: '', eventType: ESC_TEXT, forward: `http://localhost/${ESC_TEXT}`, report: { ok: true, status: 200, durationMs: 1 } };
    printHistory(term, [entry]);
    for (const line of term.lines) expect(line).not.toMatch(CONTROL);
    expect(term.lines[1]).toContain('x\\e[2J');
  });

  it('the verify report: what the handler answered and its output tail (colours dropped)', () => {
    const results: CheckResult[] = [{ event: 'invoice.paid', check: 'delivery', status: 'failed', expected: '2xx', got: ESC_TEXT, reason: ESC_TEXT, responses: [{ status: 500, latencyMs: 1, body: ESC_TEXT }] }];
    const lines = renderVerifyReport(
      {
        schemaVersion: 1, provider: 'stripe', url: 'http://localhost:3000', events: ['invoice.paid'], checks: ['delivery'], notApplicable: [], timeoutMs: 1000, concurrency: 1,
        startedAt: new Date(0).toISOString(), durationMs: 1, summary: summarize(results), ok: false, results,
        handler: { command: 'npm start', outputTail: [`\u001b[32mlistening\u001b[0m ${ESC_TEXT}`], exitedEarly: undefined } as never,
      },
      new Chalk({ level: 0 }),
    );
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines).toContain('  listening x\\e[2J\\e]0;title\\u0007\\u009b1m');
    expect(lines.join('\n')).toContain('response: x\\e[2J');
  });
});
