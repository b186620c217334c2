import { toJUnitXml } from './junit.js';
import type { VerifyReport } from './report.js';

export const REPORTERS = ['pretty', 'json', 'junit'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** The report as a machine-readable document: json (the report itself) or JUnit XML. */
export function renderReport(report: VerifyReport, format: 'json' | 'junit'): string {
  return format === 'junit' ? toJUnitXml(report) : `${JSON.stringify(report, null, 2)}\n`;
}
