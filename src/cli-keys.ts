import type { Command } from 'commander';
import { environment, examples, printJson, terminal } from './cli-helpers.js';

/** `whcli keys`: the key pairs of providers that sign with a private key (Discord, SendGrid). */
export function addKeysCommand(program: Command): Command {
  const keys = program.command('keys').description('key pairs for providers that sign with a private key (discord, sendgrid)');
  keys
    .command('show')
    .description("print a provider's public key in the form its handler expects (created on first use; the private key is never printed)")
    .argument('<provider>', 'an asymmetric provider, e.g. discord or sendgrid')
    .option('--pem', 'print the public key as PEM (SPKI) instead')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file')
    .addHelpText(
      'after',
      examples([
        'whcli keys show discord            # hex, for DISCORD_PUBLIC_KEY / verifyKey()',
        'whcli keys show sendgrid           # base64 SPKI, for EventWebhook.convertPublicKeyToECDSA()',
        'export DISCORD_PUBLIC_KEY=$(whcli keys show discord)',
      ]) +
        `
The private key is kept in <whcli config dir>/keys/<provider>.pem (0600; WHCLI_HOME moves it).
A PEM private key in --secret, WHCLI_SECRET or the config's "secret" is used instead when given.
`,
    )
    .action(async (provider: string, opts) => {
      const [{ keysShow }, term] = await Promise.all([import('./commands/keys.js'), terminal()]);
      const result = await keysShow(provider, opts, { environment: environment() });
      if (opts.json) return printJson(result);
      term.out(result.publicKey);
      if (result.created) term.err(term.color.dim(`created a new ${result.algorithm} key pair: ${result.privateKeySource}`));
    });
  return keys;
}
