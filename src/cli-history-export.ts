import type { Command } from 'commander';
import { environment, examples, printJson, terminal } from './cli-helpers.js';

/** `whcli history export`: recorded deliveries to scrubbed fixture files for `verify --from`. */
export function addHistoryExportCommand(history: Command): Command {
  return history
    .command('export')
    .description('write events from history as fixture files for `whcli verify --from`, with secrets, tokens, emails, phone numbers and card numbers scrubbed')
    .argument('<id...>', 'relay event ids (rev_...) or provider event ids, from `whcli history`')
    .option('--to <dir>', 'folder to write the files into (created when missing)')
    .option('-p, --provider <name>', 'provider of events recorded without one (default: as recorded)')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file')
    .addHelpText(
      'after',
      examples([
        'whcli history export rev_3NBBzsNFid9PMys7 --to fixtures/recorded',
        'whcli history export evt_1 evt_2 evt_3 --to fixtures/recorded --json',
        'whcli verify --provider stripe --from fixtures/recorded --forward localhost:3000/webhooks',
      ]),
    )
    .action(async (ids: string[], _own: unknown, command: Command) => {
      // `history` has its own --json: commander hands the flag to whichever command defines it first.
      const opts = command.optsWithGlobals();
      const [{ exportHistory }, view, term] = await Promise.all([import('./commands/history.js'), import('./ui/history-view.js'), terminal()]);
      const exported = await exportHistory(ids, opts, { environment: environment() });
      if (opts.json) printJson(exported);
      else view.printExported(term, exported);
    });
}
