import type { ChalkInstance } from 'chalk';
import type { VerifyPlan } from '../commands/verify.js';
import { formatDuration } from '../duration.js';
import { rowsOf, type CheckResult, type VerifyReport } from '../verify/report.js';
import { excerpt, formatLatency, table } from './format.js';
import { sanitize, withoutColors } from './sanitize.js';
import type { Terminal } from './terminal.js';

/** Where progress goes while checks run: a TTY gets one line rewritten in place. */
export interface LiveLine {
  isTTY: boolean;
  write(text: string): void;
}

export interface VerifyProgress {
  plan(plan: VerifyPlan): void;
  ready(): void;
  result(result: CheckResult, done: number, total: number): void;
  /** Clears the live line; call before printing the report. */
  stop(): void;
}

/**
 * Progress while checks run. On a TTY, one status line rewritten in place; elsewhere (CI logs) a
 * line per event type as its last check finishes.
 */
export function createProgress(term: Terminal, live: LiveLine): VerifyProgress {
  const c = term.color;
  let checksPerRow: Record<string, number> = {};
  let checksPerEvent = 1;
  let eventCount = 0;
  let eventsDone = 0;
  let failed = 0;
  let shown = false;
  const perEvent = new Map<string, CheckResult[]>();
  const clear = () => {
    if (shown) live.write('\r\x1b[2K');
    shown = false;
  };
  return {
    plan(plan) {
      checksPerRow = plan.checksPerRow;
      checksPerEvent = Math.max(1, plan.checks.length);
      eventCount = Object.keys(checksPerRow).length || plan.events.length;
      const events = `${plan.events.length} event${plan.events.length === 1 ? '' : 's'}`;
      term.out(
        `${c.bold('whcli verify')} ${plan.provider} ${c.dim('->')} ${plan.url} ${c.dim(`(${events} x ${plan.checks.length} checks: ${plan.checks.join(', ')}; timeout ${formatDuration(plan.timeoutMs)}, ${plan.concurrency} at a time)`)}`,
      );
      for (const skip of plan.notApplicable) term.out(c.dim(`  ${skip.check} not checked: ${skip.reason}`));
      if (plan.start) term.out(c.dim(`  starting "${plan.start.command}", waiting for ${plan.start.waitFor} to accept connections`));
    },
    ready() {
      if (live.isTTY) {
        live.write(c.dim('  running checks...'));
        shown = true;
      }
    },
    result(result, done, total) {
      if (result.status === 'failed') failed += 1;
      if (live.isTTY) {
        clear();
        const failures = failed ? c.red(` · ${failed} failed`) : '';
        live.write(`  ${done}/${total} checks${failures} ${c.dim(`· ${result.event} ${result.check}`)}`);
        shown = true;
        return;
      }
      const results = [...(perEvent.get(result.event) ?? []), result];
      perEvent.set(result.event, results);
      if (results.length < (checksPerRow[result.event] ?? checksPerEvent)) return;
      eventsDone += 1;
      const bad = results.filter((r) => r.status === 'failed').map((r) => r.check);
      const passed = results.filter((r) => r.status === 'passed').length;
      const verdict = bad.length ? c.red(`${bad.length} failed (${bad.join(', ')})`) : c.green(`${passed} passed`);
      live.write(`  [${eventsDone}/${eventCount}] ${result.event}: ${verdict}\n`);
    },
    stop: clear,
  };
}

function cell(result: CheckResult | undefined, c: ChalkInstance): string {
  if (!result) return '';
  if (result.status === 'skipped') return c.dim('- not run');
  const got = sanitize(result.got ?? '').replace(/, /g, ',');
  const latency = result.latency
    ? ` ${c.dim(`p50 ${formatLatency(result.latency.p50)} p99 ${formatLatency(result.latency.p99)}`)}`
    : result.latencyMs !== undefined
      ? ` ${c.dim(formatLatency(result.latencyMs))}`
      : '';
  if (result.status === 'passed' && result.warning) return `${c.yellow('!')} ${got}${latency}`;
  return result.status === 'passed' ? `${c.green('✓')} ${got}${latency}` : `${c.red('✗')} ${c.red(got)}${latency}`;
}

/** Failures of one check with the same status and reason, across events: one bug, told once. */
function groupFailures(failures: readonly CheckResult[]): CheckResult[][] {
  const groups = new Map<string, CheckResult[]>();
  for (const f of failures) {
    const key = `${f.check}\u0000${f.got}\u0000${f.reason}\u0000${f.diagnosis ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()];
}

/** The report as lines: the event x check table, each failure with its why, then the closing count. */
export function renderVerifyReport(report: VerifyReport, c: ChalkInstance, extras: { outputFile?: string; reporter?: string } = {}): string[] {
  const lines: string[] = [];
  const header = ['EVENT', ...report.checks.map((check) => check.toUpperCase())].map((h) => c.bold(h));
  const rows = rowsOf(report).map((event) => [
    event,
    ...report.checks.map((check) => cell(report.results.find((r) => r.event === event && r.check === check), c)),
  ]);
  lines.push('', ...table([header, ...rows]));

  const failures = report.results.filter((r) => r.status === 'failed');
  if (failures.length) {
    lines.push('', c.bold(c.red(`Failures (${failures.length}):`)));
    for (const group of groupFailures(failures)) {
      const [first] = group;
      const where = group.length === 1 ? `${c.bold(first!.event)} ${first!.check}` : `${first!.check} on ${group.length} events`;
      lines.push(`  ${c.red('✗')} ${where}: got ${c.red(sanitize(first!.got ?? '?'))}, expected ${first!.expected}`);
      if (group.length > 1) lines.push(`      events: ${group.map((f) => f.event).join(', ')}`);
      lines.push(`      ${sanitize(first!.reason ?? '')}`);
      if (first!.diagnosis) lines.push(`      ${c.bold('likely cause:')} ${sanitize(first!.diagnosis)}`);
      const last = first!.responses[first!.responses.length - 1];
      const body = sanitize(excerpt(last?.body));
      if (body) lines.push(c.dim(`      response: ${body}`));
    }
  }

  const warnings = report.results.filter((r) => r.status === 'passed' && r.warning);
  if (warnings.length) {
    lines.push('', c.bold(c.yellow(`Warnings (${warnings.length}):`)));
    for (const w of warnings) lines.push(`  ${c.yellow('!')} ${c.bold(sanitize(w.event))} ${w.check}: ${sanitize(w.warning!)}`);
  }
  const latencies = report.results.filter((r) => r.latency);
  for (const r of latencies) {
    const l = r.latency!;
    lines.push('', `${r.check}: ${r.expected}`, `  handler latency p50 ${formatLatency(l.p50)}, p99 ${formatLatency(l.p99)}, max ${formatLatency(l.max)} (${l.count} answered) against a ${formatDuration(report.timeoutMs)} timeout`);
  }

  const handler = report.handler;
  if (handler?.exitedEarly) {
    const exit = handler.exitedEarly;
    lines.push('', c.yellow(`The handler ("${handler.command}") ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`} during the run.`));
  }
  if (handler && (failures.length || handler.exitedEarly) && handler.outputTail.length) {
    lines.push('', c.dim(`Last output of "${handler.command}":`), ...handler.outputTail.map((line) => c.dim(`  ${sanitize(withoutColors(line))}`)));
  }

  lines.push('');
  const { summary } = report;
  if (summary.skipped) {
    const why = report.interrupted ? `interrupted by ${report.interrupted}` : '--fail-fast';
    lines.push(c.yellow(`${summary.skipped} not run (${why})`));
  }
  if (extras.outputFile) lines.push(c.dim(`${extras.reporter ?? 'report'} report written to ${extras.outputFile}`));
  // Kept plain, never coloured: CI scripts grep for this exact line.
  lines.push(`${summary.passed} passed, ${summary.failed} failed`);
  return lines;
}

/** Prints the report for people (see renderVerifyReport). */
export function printVerifyReport(term: Terminal, report: VerifyReport, extras: { outputFile?: string; reporter?: string } = {}): void {
  for (const line of renderVerifyReport(report, term.color, extras)) term.out(line);
}
