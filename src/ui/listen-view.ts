import type { ListenReady } from '../commands/listen.js';
import type { ExchangeSummary } from '../inspector/exchange-json.js';
import type { Delivery } from '../tunnel/listener.js';
import type { ConnectionStatus } from '../tunnel/relay-link.js';
import type { RefusedEvent } from '../tunnel/validate-event.js';
import { formatDuration } from '../duration.js';
import { excerpt, formatLatency, formatStatus } from './format.js';
import { sanitize } from './sanitize.js';

export { sanitize };
import type { Terminal } from './terminal.js';

/** Local wall-clock time with milliseconds. */
function clock(ms: number): string {
  const d = new Date(ms);
  return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function printBanner(term: Terminal, ready: ListenReady): void {
  const c = term.color;
  term.out('');
  term.out(`  ${c.bold('Webhook URL')}  ${c.cyan.bold(sanitize(ready.url))}`);
  if (!ready.routes) {
    term.out(`  ${c.dim('Forwarding')}   ${ready.forward}`);
    const signing = ready.resign ? `re-signed as ${ready.provider}` : ready.provider ? `${ready.provider}, signatures passed through` : 'signatures passed through (no --provider)';
    term.out(`  ${c.dim('Provider')}     ${signing}`);
  }
  term.out(`  ${c.dim('Relay')}        ${ready.embedded ? `embedded, ${ready.relay}` : ready.relay}`);
  if (ready.source?.kind === 'smee') term.out(`  ${c.dim('Via smee.io')}  ${c.yellow(`${ready.source.note}; whcli re-signs each event, so --verify-incoming is unavailable`)}`);
  if (ready.source?.kind === 'public-url') term.out(`  ${c.dim('Tunnel to')}    ${ready.source.relayUrl}`);
  if (ready.events) term.out(`  ${c.dim('Events')}       ${ready.events.join(', ')}`);
  for (const [i, route] of (ready.routes ?? []).entries()) {
    term.out(`  ${c.dim(i === 0 ? 'Routes' : '      ')}       ${c.bold(sanitize(route.name))}  ${sanitize(route.description)}`);
  }
  if (ready.routes) term.out(`  ${c.dim('             events no route matches are acknowledged as unrouted and kept in history')}`);
  if (ready.retries) term.out(`  ${c.dim('Retries')}      on each provider's ${ready.retries.mode ?? 'live'} schedule${ready.retries.timeScale === 1 ? '' : `, ${ready.retries.timeScale}x faster`}`);
  if (ready.inspector) {
    const taken = ready.inspectorPortTaken ? c.dim(`  (port ${ready.inspectorPortTaken} is taken)`) : '';
    term.out(`  ${c.dim('Inspector')}    ${c.cyan(ready.inspector)}${taken}`);
  }
  term.out('');
  term.out(c.dim('  Send events to the URL above, or run `whcli trigger <event>` in another terminal. Ctrl-C to stop.'));
  term.out('');
}

export function printDelivery(term: Terminal, d: Delivery): void {
  const c = term.color;
  if (d.report.skipped && d.report.skipped !== 'rejected') return;
  const status = formatStatus(d.report, c);
  // Everything but the clock, status and latency came from the sender or the handler.
  const what = sanitize(d.eventType ?? `${d.method} ${d.path || '/'}`);
  const detail = d.report.error ? c.red(sanitize(d.report.error.message)) : d.report.ok ? '' : c.dim(sanitize(excerpt(d.report.body, 80)));
  const route = d.route ? `${c.cyan(sanitize(d.route))}  ` : '';
  const attempt = d.attempt === undefined || (d.attempt === 1 && d.retryInMs === undefined) ? '' : `  ${c.dim(`attempt ${d.attempt}${d.retryInMs === undefined ? '' : `, retry in ${formatDuration(d.retryInMs)}`}`)}`;
  term.out(`${c.dim(clock(d.receivedAt))}  ${status}  ${route}${c.bold(what)}  ${c.dim(sanitize(d.eventId ?? d.id))}  ${formatLatency(d.report.durationMs)}  ${detail}${attempt}`.trimEnd());
}

/** A replay sent from the web inspector. */
export function printReplay(term: Terminal, x: ExchangeSummary): void {
  const c = term.color;
  const what = sanitize(x.eventType ?? `${x.method} ${x.path}`);
  const how = `replay #${x.attempt}${x.edited ? ', edited body' : ''}`;
  term.out(`${c.dim(clock(x.sentAt))}  ${formatStatus({ status: x.status, error: x.error ? { kind: x.error } : undefined }, c)}  ${c.bold(what)}  ${c.dim(sanitize(x.providerEventId ?? x.eventId))}  ${formatLatency(x.durationMs)}  ${c.dim(how)}`);
}

export function printStatus(term: Terminal, status: ConnectionStatus, wasReady: { value: boolean }): void {
  const c = term.color;
  if (status.type === 'ready') {
    if (wasReady.value) term.err(c.green(`reconnected; resuming after event #${status.resumeFrom}`));
    wasReady.value = true;
  } else if (status.type === 'disconnected') {
    term.err(c.yellow(`relay connection lost: ${sanitize(status.reason)}; reconnecting in ${(status.retryInMs / 1000).toFixed(1)}s`));
  }
}

/** An event from the relay refused as malformed: one line, then the listener moves on. */
export function printRefused(term: Terminal, refused: RefusedEvent): void {
  const which = refused.seq === undefined ? '' : ` #${refused.seq}${refused.id ? ` (${refused.id})` : ''}`;
  term.err(term.color.yellow(sanitize(`refused event${which} from the relay: ${refused.reason}; not forwarded`)));
}
