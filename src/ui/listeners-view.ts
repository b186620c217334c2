import type { ListenerEntry } from '../commands/listeners.js';
import { table } from './format.js';
import type { Terminal } from './terminal.js';

export function printListeners(term: Terminal, entries: ListenerEntry[]): void {
  const c = term.color;
  if (entries.length === 0) return term.out(c.dim('no listener is running (start one with `whcli listen --forward <url>`)'));
  const rows = [['', 'pid', 'provider', 'forward', 'url', 'directory'].map((h) => c.dim(h))];
  for (const e of entries) {
    const provider = e.provider ? `${e.provider}${e.resign ? '' : ' (passes signatures)'}` : '-';
    rows.push([e.here ? c.green('*') : ' ', String(e.pid), provider, e.forward, e.url, e.cwd ?? '']);
  }
  for (const line of table(rows)) term.out(line);
  term.out(c.dim('* started for this project: `whcli trigger` sends through it; --listener <pid> picks another'));
}
