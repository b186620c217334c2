import { formatDuration } from '../duration.js';
import type { TriggerAttempt, TriggerResult } from '../commands/trigger.js';
import { excerpt, formatLatency, formatStatus } from './format.js';
import { sanitize } from './sanitize.js';
import type { Terminal } from './terminal.js';

export function printAttempt(term: Terminal, { attempt, result }: TriggerAttempt, nextDelayMs?: number): void {
  const c = term.color;
  const status = formatStatus(result, c);
  // The handler's answer (relayed, when a listener forwarded the event) is not ours to trust.
  const detail = sanitize(result.error ? result.error.message : excerpt(result.body));
  term.out(`${c.dim(`#${attempt}`)} ${status} ${c.dim(formatLatency(result.durationMs))}  ${detail}`);
  if (nextDelayMs !== undefined) term.out(c.dim(`   retrying in ${formatDuration(nextDelayMs)}, as the provider would`));
}

export function printTriggerHeader(term: Terminal, r: { provider: string; event: string; eventId: string; url: string }): void {
  const c = term.color;
  term.out(`${c.bold(r.event)} ${c.dim(`(${r.provider}, ${r.eventId})`)} ${c.dim('->')} ${r.url}`);
}

export function printDryRun(term: Terminal, result: TriggerResult): void {
  term.out(`${result.method} ${result.url}`);
  for (const [name, value] of Object.entries(result.headers)) term.out(`${name}: ${value}`);
  term.out('');
  term.out(result.body);
}
