import { rowsOf, type CheckResult, type VerifyReport } from './report.js';

// Characters XML 1.0 forbids even when escaped; response bodies may hold any of them.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(value: string): string {
  return value.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string | number): string {
  return text(String(value)).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** A response body on one line, cut to `max` characters. */
function excerptOf(body: string | undefined, max: number): string {
  const line = (body ?? '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(report: VerifyReport, result: CheckResult): string {
  const head = `<testcase name="${attr(`${result.event} ${result.check}`)}" classname="${attr(`${report.provider}.${result.event}`)}" time="${seconds(result.latencyMs ?? 0)}"`;
  if (result.status === 'passed') {
    const notes = [
      ...(result.latency ? [`latency: p50 ${Math.round(result.latency.p50)}ms, p99 ${Math.round(result.latency.p99)}ms of ${report.timeoutMs}ms`] : []),
      ...(result.warning ? [`warning: ${result.warning}`] : []),
    ];
    return notes.length ? `    ${head}>\n      <system-out>${text(notes.join('\n'))}</system-out>\n    </testcase>` : `    ${head}/>`;
  }
  if (result.status === 'skipped') return `    ${head}>\n      <skipped message="${attr(result.reason ?? 'not run')}"/>\n    </testcase>`;
  const message = `${result.event} ${result.check}: got ${result.got}, expected ${result.expected}: ${result.reason}${result.diagnosis ? `; likely cause: ${result.diagnosis}` : ''}`;
  const detail = [
    `event: ${result.event}${result.eventId ? ` (id ${result.eventId})` : ''}`,
    `check: ${result.check}`,
    `expected: ${result.expected}`,
    `got: ${result.got}`,
    `why: ${result.reason}`,
    ...(result.diagnosis ? [`likely cause: ${result.diagnosis}`] : []),
    ...(result.probes ?? []).map((p) => `probe: ${p.probe} -> ${p.got}`),
    ...(result.latency ? [`latency: p50 ${Math.round(result.latency.p50)}ms, p99 ${Math.round(result.latency.p99)}ms of ${report.timeoutMs}ms`] : []),
    ...(result.effects !== undefined ? [`effects: ${result.effects}`] : []),
    ...result.responses.map((r, i) => {
      const label = result.responses.length > 1 ? `response ${i + 1}` : 'response';
      const what = r.error ? r.error.message : `${r.status} ${excerptOf(r.body, 500)}`.trimEnd();
      return `${label}: ${what} (${Math.round(r.latencyMs)}ms)`;
    }),
  ].join('\n');
  return `    ${head}>\n      <failure message="${attr(message)}" type="${attr(result.check)}">${text(detail)}</failure>\n    </testcase>`;
}

/** The report as JUnit XML: a testsuite per event type, a testcase per check. */
export function toJUnitXml(report: VerifyReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const { summary } = report;
  lines.push(
    `<testsuites name="${attr(`whcli verify ${report.provider}`)}" tests="${summary.total}" failures="${summary.failed}" errors="0" skipped="${summary.skipped}" time="${seconds(report.durationMs)}">`,
  );
  for (const event of rowsOf(report)) {
    const results = report.results.filter((r) => r.event === event);
    const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
    const time = results.reduce((sum, r) => sum + (r.latencyMs ?? 0), 0);
    lines.push(
      `  <testsuite name="${attr(`${report.provider} ${event}`)}" tests="${results.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${seconds(time)}" timestamp="${attr(report.startedAt.replace(/\.\d+Z$/, ''))}">`,
      '    <properties>',
      `      <property name="provider" value="${attr(report.provider)}"/>`,
      `      <property name="url" value="${attr(report.url)}"/>`,
      `      <property name="timeoutMs" value="${report.timeoutMs}"/>`,
      '    </properties>',
      ...results.map((r) => testcase(report, r)),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
