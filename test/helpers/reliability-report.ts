/**
 * Figures for docs/reliability.md. With WHCLI_RELIABILITY_REPORT=<file> set, the property and fault
 * tests append one NDJSON line per figure; without it they record nothing, so a normal run writes no file.
 */
import { appendFileSync } from 'node:fs';

export function recordFigures(suite: 'property' | 'fault', name: string, figures: Record<string, number | string | boolean>): void {
  const file = process.env.WHCLI_RELIABILITY_REPORT;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ suite, name, ...figures, at: new Date().toISOString() })}\n`);
}
