import { Command } from 'commander';
import { whcliVersion } from './version.js';

export interface ProgramDeps {
  /** Aborted on Ctrl-C / SIGTERM; long-running commands stop cleanly on it. */
  signal: AbortSignal;
}

const GETTING_STARTED = `
Getting started:
  $ whcli init             write whcli.config.json: provider, handler URL, signing secret
  $ whcli listen --forward localhost:3000/webhooks --provider stripe --secret whsec_test
      tunnel: prints a public URL; every event POSTed there reaches your handler, re-signed
  $ whcli trigger invoice.paid --provider stripe --forward localhost:3000/webhooks
      send a signed fixture event straight to your handler
  $ whcli verify --provider stripe --forward localhost:3000/webhooks --secret whsec_test
      CI gate: every event type, forged/unsigned/replayed signatures, duplicates

  $ whcli providers        the providers and how they sign
  $ whcli events           every event type with a fixture
`;

/** The `whcli` root command with no subcommands: its help, version, error style and unknown-command answer. */
export function createProgram(): Command {
  const program = new Command('whcli')
    .description('Test webhooks locally: tunnel, trigger and verify signed provider events.')
    .version(whcliVersion(), '-v, --version')
    .showSuggestionAfterError()
    .exitOverride()
    // One line, like every other whcli error: commander puts its "(Did you mean ...?)" on a second.
    .configureOutput({ outputError: (text, write) => write(`whcli: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`) })
    .addHelpText('after', GETTING_STARTED)
    .usage('<command> [options]')
    .argument('[command]')
    .argument('[topic]')
    .action(async (command?: string, topic?: string) => {
      if (!command) return program.outputHelp();
      // `whcli help trigger`, as git and npm take it.
      if (command === 'help') {
        const target = topic === undefined ? program : program.commands.find((c) => c.name() === topic);
        if (target) return target.outputHelp();
        command = topic!;
      }
      const [{ UsageError }, { nearestNames }] = await Promise.all([import('./errors.js'), import('./providers/catalogue.js')]);
      const near = nearestNames(command, program.commands.map((c) => c.name()));
      throw new UsageError(`unknown command "${command}".${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} See whcli --help.`);
    });
  return program;
}
