import type { Command } from 'commander';
import { environment, examples, printJson } from './cli-helpers.js';

/** `whcli sign`: the signature headers a provider would send with a body. */
export function addSignCommand(program: Command): void {
  program
    .command('sign')
    .description('print the signature headers a provider would send with a body')
    .option('-p, --provider <name>', 'provider whose scheme to use')
    .option('-s, --secret <secret>', 'signing secret (default: $WHCLI_SECRET or the config file)')
    .option('--file <path>', 'body to sign (default: stdin)')
    .option('--timestamp <unix>', 'signature timestamp in unix seconds (default: now)')
    .option('--id <id>', 'message id, for schemes that sign one')
    .option('--url <url>', 'the URL the request goes to, for providers that sign it (twilio, square, hubspot; env WHCLI_PUBLIC_URL)')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file')
    .addHelpText(
      'after',
      examples([
        'whcli sign --provider stripe --secret whsec_test --file body.json',
        'echo -n \'{"event":"charge.success"}\' | whcli sign --provider paystack --secret sk_test',
        'curl localhost:3000/hooks --data-binary @body.json $(whcli sign -p github -s s3cret --file body.json --curl)',
      ]),
    )
    .option('--curl', 'print as curl -H arguments')
    .action(async (opts) => {
      const [{ sign }, { buffer }] = await Promise.all([import('./commands/sign.js'), import('node:stream/consumers')]);
      const result = await sign(opts, {
        environment: environment(),
        readStdin: () => buffer(process.stdin),
        // A function: touching process.stdin builds its stream, a cost --file never needs.
        stdinIsTerminal: () => process.stdin.isTTY === true,
      });
      if (opts.json) return printJson(result);
      for (const [name, value] of Object.entries(result.headers)) {
        process.stdout.write(opts.curl ? `-H '${name}: ${value}' ` : `${name}: ${value}\n`);
      }
      if (opts.curl) process.stdout.write('\n');
    });
}
