import type { ChalkInstance } from 'chalk';
import type { DeliveryResult } from '../delivery/send.js';

/** "200" in green, "404" in yellow, "500"/errors in red. */
export function formatStatus(result: Pick<DeliveryResult, 'status'> & { error?: { kind: string } }, c: ChalkInstance): string {
  if (result.error) return c.red(result.error.kind.toUpperCase());
  const status = result.status ?? 0;
  const text = String(status);
  if (status >= 200 && status < 300) return c.green(text);
  if (status >= 400 && status < 500) return c.yellow(text);
  return c.red(text);
}

export function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

/** The first line of a response body, cut to `max` characters. */
export function excerpt(body: string | undefined, max = 120): string {
  if (!body) return '';
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Left-aligned columns, widths from the widest cell (ANSI codes not counted). */
export function table(rows: string[][], gap = 2): string[] {
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, strip(cell).length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - strip(cell).length + gap)))
      .join('')
      .trimEnd(),
  );
}
