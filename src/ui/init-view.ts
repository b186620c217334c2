import { basename } from 'node:path';
import type { InitResult } from '../commands/init.js';
import { table } from './format.js';
import type { Terminal } from './terminal.js';

/** What `whcli init` wrote, and the three commands to run next. The secret itself is never printed. */
export function printInitResult(term: Terminal, result: InitResult): void {
  const c = term.color;
  if (!result.written) {
    term.out(`Left ${result.path} as it was.`);
    return;
  }
  const file = basename(result.path);
  const events = result.events === 'all' ? `all ${result.eventCount} events` : result.events.join(', ');
  const secret = { flag: 'secret from --secret', generated: 'a generated secret', pasted: 'the pasted secret' }[result.secretFrom];
  term.out(`${c.green('✔')} ${result.replaced ? 'Replaced' : 'Wrote'} ${result.path}`);
  term.out(`  ${result.provider}, forwarding to ${result.forward}, ${events}, ${secret}`);
  term.out('');
  term.out(c.bold('Next steps'));
  if (result.secretFrom === 'generated') {
    term.out(`  Give your handler the "secret" from ${file} as its ${result.provider} webhook signing secret.`);
  }
  const steps = [
    [`whcli trigger ${result.exampleEvent}`, c.dim(`send one signed ${result.exampleEvent} to ${result.forward}`)],
    ['whcli listen', c.dim('tunnel: a public URL whose events reach your handler, re-signed')],
    ['whcli verify', c.dim('CI gate: every event type, and forged, unsigned and replayed ones refused')],
  ];
  for (const line of table(steps.map(([command, what]) => [`  $ ${command}`, what!]))) term.out(line.trimEnd());
  term.out(c.dim(`  ${file} holds the secret: keep a real one out of version control.`));
}
