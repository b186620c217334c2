import { Argument, type Command, type Option } from 'commander';
import type { ProgramDeps } from './cli-program.js';
import { environment, examples, terminal } from './cli-helpers.js';
import type { CompletionOption, CompletionSpec, ValueKind } from './commands/completion.js';

/** `whcli init` and `whcli completion`: getting started. Their modules load only when they run. */
export function addSetupCommands(program: Command, deps: ProgramDeps): Command {
  program
    .command('init')
    .description('create whcli.config.json here: provider, forward URL, events and signing secret (asks, or takes flags)')
    .option('-p, --provider <name>', 'provider your handler receives webhooks from (see `whcli providers`)')
    .option('-f, --forward <url>', 'your handler: 3000, localhost:3000/webhooks or a URL')
    .option('-e, --events <list>', 'comma-separated event types, or all (default: all)')
    .option('-s, --secret <secret>', 'the signing secret your handler checks')
    .option('--generate-secret', 'generate a random signing secret (the default with --yes)')
    .option('--force', 'overwrite an existing whcli.config.json (keeping its other fields, e.g. providers)')
    .option('-y, --yes', 'ask nothing; what no flag gives: forward localhost:3000/webhooks, all events, a generated secret')
    .addHelpText(
      'after',
      examples([
        'whcli init',
        'whcli init --provider stripe --forward 3000/webhooks --generate-secret',
        'whcli init -p github -f localhost:8080/hooks -e push,pull_request.opened -s "$GITHUB_WEBHOOK_SECRET"',
        'whcli init --provider paystack --yes --force',
      ]) +
        `
Without a terminal (CI, pipes) init never asks: it fails, exit 2, naming the flags it still needs.
Ctrl-C at a question leaves nothing written (exit 130).
`,
    )
    .action(async (opts) => {
      const [{ init }, view, term] = await Promise.all([import('./commands/init.js'), import('./ui/init-view.js'), terminal()]);
      // Questions only for a person at a terminal: never in CI, never with stdin piped.
      const interactive = !opts.yes && process.stdin.isTTY === true && !process.env.CI;
      const prompter = interactive ? (await import('./ui/init-prompts.js')).createInitPrompter({ signal: deps.signal }) : undefined;
      view.printInitResult(term, await init(opts, { environment: environment(), prompter }));
    });

  program
    .command('completion')
    .description('print a shell completion script: commands, flags, provider and event names')
    .addArgument(new Argument('<shell>', 'bash, zsh, fish or powershell').choices(['bash', 'zsh', 'fish', 'powershell']))
    .addHelpText(
      'after',
      examples([
        'source <(whcli completion bash)          # this shell; add the line to ~/.bashrc to keep it',
        'whcli completion zsh > "${fpath[1]}/_whcli"',
        'whcli completion fish > ~/.config/fish/completions/whcli.fish',
        'whcli completion powershell | Out-String | Invoke-Expression   # PowerShell; add the line to $PROFILE',
      ]),
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./commands/completion.js');
      process.stdout.write(completionScript(shell, completionSpec(program)));
    });
  return program;
}

/** What a flag's value completes to, by flag; anything else with a value is free text. */
const VALUE_KINDS: Record<string, ValueKind> = {
  '--provider': 'provider',
  '--config': 'file',
  '--file': 'file',
  '--output': 'file',
  '--data': 'file',
};

/** The same for a command's first argument, by its name. */
const ARGUMENT_KINDS: Record<string, ValueKind> = { event: 'event' };

/** The program's commands and flags, read from commander so a new command completes with no change here. */
export function completionSpec(program: Command): CompletionSpec {
  const help = program.createHelp();
  const option = (o: Option): CompletionOption => ({
    short: o.short,
    long: o.long,
    description: o.description,
    value: !o.required && !o.optional ? 'none' : o.argChoices ? { choices: o.argChoices } : (VALUE_KINDS[o.long ?? ''] ?? 'text'),
  });
  return {
    name: program.name(),
    options: help.visibleOptions(program).map(option),
    commands: help.visibleCommands(program).map((command) => {
      const first = command.registeredArguments[0];
      const argument: ValueKind | undefined = first
        ? first.argChoices
          ? { choices: first.argChoices }
          : (ARGUMENT_KINDS[first.name()] ?? 'text')
        : undefined;
      return {
        name: command.name(),
        description: command.description(),
        options: help.visibleOptions(command).map(option),
        argument,
        argumentName: first?.name(),
      };
    }),
  };
}
