import { formatDuration } from '../duration.js';
import type { TriggerAttempt, TriggerResult } from '../commands/trigger.js';
import { describeListener, type ListenerRecord } from '../tunnel/running-listeners.js';
import { excerpt, formatLatency, formatStatus } from './format.js';
import { sanitize } from './sanitize.js';
import type { Terminal } from './terminal.js';

export function printAttempt(term: Terminal, { attempt, result, answeredBy, reason }: TriggerAttempt, nextDelayMs?: number): void {
  const c = term.color;
  const status = formatStatus(result, c);
  // The handler's answer (relayed, when a listener forwarded the event) is not ours to trust.
  const detail = sanitize(result.error ? result.error.message : answeredBy && answeredBy !== 'handler' ? `the ${answeredBy} answered: ${reason ?? excerpt(result.body)}` : excerpt(result.body));
  term.out(`${c.dim(`#${attempt}`)} ${status} ${c.dim(formatLatency(result.durationMs))}  ${detail}`);
  if (nextDelayMs !== undefined) term.out(c.dim(`   retrying in ${formatDuration(nextDelayMs)}, as the provider would`));
}

export function printTriggerHeader(term: Terminal, r: { provider: string; event: string; eventId: string; url: string; listener?: ListenerRecord }): void {
  const c = term.color;
  term.out(`${c.bold(r.event)} ${c.dim(`(${r.provider}, ${r.eventId})`)} ${c.dim('->')} ${r.url}`);
  if (r.listener) term.out(c.dim(`   through the running listener ${describeListener(r.listener)}`));
}

/** The request exactly as it would be sent; plain text, nothing to colour. */
export function printDryRun(out: (line: string) => void, result: TriggerResult): void {
  out(`${result.method} ${result.url}`);
  for (const [name, value] of Object.entries(result.headers)) out(`${name}: ${value}`);
  out('');
  out(result.body);
}
