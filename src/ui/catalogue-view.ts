import type { ProviderSpec } from '../providers/types.js';
import { describeScheme } from '../signing/index.js';
import { deliveryOrder } from '../providers/delivery-order.js';
import { describeRetries } from '../providers/retry-schedule.js';
import { signerFor } from '../providers/sign.js';
import { formatDuration } from '../duration.js';
import { table } from './format.js';
import type { Terminal } from './terminal.js';

export function providerSummary(p: ProviderSpec) {
  return {
    name: p.name,
    title: p.title,
    scheme: p.scheme,
    signatureHeaders: headerNamesOf(p),
    events: p.events.map((e) => e.name),
    timeoutMs: p.timeoutMs,
    retries: p.retries,
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
  const rows = [['PROVIDER', 'SIGNATURE', 'HEADER', 'EVENTS', 'TIMEOUT', 'RETRIES'].map((h) => c.bold(h))];
  for (const p of providers) {
    rows.push([p.name, describeScheme(p.scheme), headerNamesOf(p).join(', '), String(p.events.length), formatDuration(p.timeoutMs), describeRetries(p)]);
  }
  for (const line of table(rows)) term.out(line);
}

export function printEvents(term: Terminal, providers: readonly ProviderSpec[]): void {
  const c = term.color;
  const rows = [['PROVIDER', 'EVENT', 'DESCRIPTION'].map((h) => c.bold(h))];
  for (const p of providers) for (const e of p.events) rows.push([p.name, e.name, c.dim(e.description)]);
  for (const line of table(rows)) term.out(line);
}
