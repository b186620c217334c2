import type { ExportedEvent } from '../commands/history.js';
import type { HistoryEntry } from '../tunnel/history.js';
import { formatLatency, formatStatus, table } from './format.js';
import { sanitize } from './sanitize.js';
import type { Terminal } from './terminal.js';

export function printHistory(term: Terminal, entries: readonly HistoryEntry[]): void {
  const c = term.color;
  if (entries.length === 0) {
    term.out('no events yet: run `whcli listen --forward <url>` and send one');
    return;
  }
  const rows = [['TIME', 'ID', 'EVENT', 'STATUS', 'LATENCY', 'FORWARDED TO'].map((h) => c.bold(h))];
  for (const e of entries) {
    rows.push([
      new Date(e.receivedAt).toLocaleString(),
      // Ids, types and paths came from senders.
      sanitize(e.id),
      sanitize(e.eventType ?? `${e.method} ${e.path || '/'}`),
      formatStatus(e.report, c),
      formatLatency(e.report.durationMs),
      // The route (and the attempt, with --retries) before the target; an unrouted event says so.
      sanitize(`${e.route ? `${e.route}: ` : ''}${e.forward || `not forwarded (${e.report.error?.kind ?? 'skipped'})`}${e.attempt && e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`),
    ]);
  }
  for (const line of table(rows)) term.out(line);
}

/** One line per exported file, with what was scrubbed from it. */
export function printExported(term: Terminal, exported: readonly ExportedEvent[]): void {
  const c = term.color;
  for (const e of exported) {
    const { secrets, emails, phones, cards } = e.scrubbed;
    const parts = [[secrets, 'secret'], [emails, 'email'], [phones, 'phone'], [cards, 'card']]
      .filter(([n]) => (n as number) > 0)
      .map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`);
    term.out(`${e.event} ${c.dim(e.id)} -> ${e.file}${parts.length ? c.dim(` (scrubbed: ${parts.join(', ')})`) : ''}`);
  }
  term.out(c.dim(`check them with: whcli verify --provider ${exported[0]?.provider ?? '<name>'} --from <dir> --forward <url>`));
}
