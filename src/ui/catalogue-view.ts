import type { ProviderSpec } from '../providers/types.js';
import { describeScheme, SCHEME_FAMILIES, schemeFamily } from '../signing/index.js';
import { deliveryOrder } from '../providers/delivery-order.js';
import { describeRetries, describeRetryModes, retryModes } from '../providers/retry-schedule.js';
import { signerFor } from '../providers/sign.js';
import { formatDuration } from '../duration.js';
import { COMPACT, describeLayout } from '../fixtures/serialize-body.js';
import { apiVersionsOf } from '../providers/api-version.js';
import { table } from './format.js';
import type { Terminal } from './terminal.js';

export function providerSummary(p: ProviderSpec) {
  return {
    name: p.name,
    title: p.title,
    scheme: p.scheme,
    family: schemeFamily(p.scheme),
    signatureHeaders: headerNamesOf(p),
    events: p.events.map((e) => e.name),
    timeoutMs: p.timeoutMs,
    retries: p.retries,
    /** How the body's JSON is laid out, byte for byte (compact unless the provider says otherwise). */
    json: p.json ?? COMPACT,
    bodyLayout: describeLayout(p.json),
    ...(p.apiVersions ? { apiVersions: apiVersionsOf(p) } : {}),
    retryModes: retryModes(p),
    retrySignals: p.retrySignals ?? {},
    notes: p.notes,
    docs: p.docs,
    ordering: deliveryOrder(p),
  };
}

function headerNamesOf(p: ProviderSpec): string[] {
  return [...signerFor(p).headerNames];
}

export function printProviders(term: Terminal, providers: readonly ProviderSpec[]): void {
  const c = term.color;
  const rows = [['PROVIDER', 'FAMILY', 'SIGNATURE', 'HEADER', 'EVENTS', 'TIMEOUT', 'RETRIES'].map((h) => c.bold(h))];
  for (const p of providers) {
    rows.push([p.name, schemeFamily(p.scheme), describeScheme(p.scheme), headerNamesOf(p).join(', ') || '(in the body)', String(p.events.length), formatDuration(p.timeoutMs), describeRetryModes(p)]);
  }
  for (const line of table(rows)) term.out(line);
  term.out('');
  term.out(c.bold('Signing families'));
  for (const [family, description] of Object.entries(SCHEME_FAMILIES)) term.out(`  ${family.padEnd(17)} ${c.dim(description)}`);
  term.out(c.dim('Scheme, events, timeout and retries of each provider come from its docs: whcli providers --json lists them with notes.'));
}

/** One provider in full: its source, scheme, timeout, retries, events and every assumption made. */
export function printProviderDetail(term: Terminal, p: ProviderSpec): void {
  const c = term.color;
  term.out(`${c.bold(p.name)}  ${p.title}`);
  term.out(`  docs      ${p.docs ?? '(none)'}`);
  term.out(`  family    ${schemeFamily(p.scheme)}: ${describeScheme(p.scheme)}`);
  term.out(`  headers   ${headerNamesOf(p).join(', ') || '(signature in the body)'}`);
  term.out(`  timeout   ${formatDuration(p.timeoutMs)}`);
  term.out(`  retries   ${describeRetries(p)}`);
  term.out(`  events    ${p.events.map((e) => e.name).join(', ')}`);
  for (const note of p.notes) term.out(`  ${c.dim('note')}      ${note}`);
}

export function printEvents(term: Terminal, providers: readonly ProviderSpec[]): void {
  const c = term.color;
  const rows = [['PROVIDER', 'EVENT', 'DESCRIPTION'].map((h) => c.bold(h))];
  for (const p of providers) for (const e of p.events) rows.push([p.name, e.name, c.dim(e.description)]);
  for (const line of table(rows)) term.out(line);
}
