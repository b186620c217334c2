import type { Command } from 'commander';
import type { ProgramDeps } from './cli-program.js';
import { collect, environment, examples, printJson, printLine, terminal } from './cli-helpers.js';

/** `whcli trigger`: a signed fixture event, sent or printed. Its modules load only when it runs. */
export function addTriggerCommand(program: Command, deps: ProgramDeps): void {
  program
    .command('trigger')
    .description('send a signed fixture event for a provider event type')
    .argument('[event]', 'event type, e.g. invoice.paid (see `whcli events`)')
    .option('--scenario <name>', 'send a scenario: its events in order, ids cross-referenced (fixtures/<provider>/scenarios)')
    .option('-p, --provider <name>', 'provider (inferred when only one has the event)')
    .option('-f, --forward <url>', 'where to send: 3000, localhost:3000/path or a URL (default: a running `whcli listen`)')
    .option('-s, --secret <secret>', 'signing secret (default: $WHCLI_SECRET or the config file)')
    .option('--set <path=value>', 'change a body field that exists, e.g. data.amount=100 or data.object.lines.data.0.amount=5 (repeatable)', collect)
    .option('--set-new <path=value>', 'add a field the fixture does not have, e.g. data.object.metadata.plan=pro (repeatable)', collect)
    .option('--data <json|file>', "replace the event's data object")
    .option('--api-version <version>', 'API version the objects follow, for providers that have them, e.g. stripe 2024-06-20 (default: $WHCLI_API_VERSION or the newest)')
    .option('-H, --header <name:value>', 'add a request header (repeatable)', collect)
    .option('--timeout <duration>', "per-attempt timeout (default: the provider's)")
    .option('--retries', "on failure, retry on the provider's schedule with the same event id")
    .option('--retry-mode <mode>', 'which schedule: live (default) or e.g. test')
    .option('--time-scale <n>', 'divide retry delays by n (60 turns minutes into seconds)')
    .option('--route <name>', "a route of whcli.config.json: send with its provider and secret to its handler")
    .option('--dry-run', 'print the exact request without sending it')
    .option('--public-url <url>', 'the URL URL-signing providers sign (twilio, square, hubspot; default: the URL sent to; env WHCLI_PUBLIC_URL)')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file (default: whcli.config.json here or above)')
    .option('-l, --listener <pid>', "send through this running listener (pid or channel id, see `whcli listeners`) instead of this project's")
    .option('-k, --insecure', "accept the handler's TLS certificate unchecked (a local self-signed one); or trust its CA with NODE_EXTRA_CA_CERTS")
    .addHelpText(
      'after',
      examples([
        'whcli trigger invoice.paid --provider stripe --forward 3000/webhooks --secret whsec_test',
        'whcli trigger invoice.paid            # through the `whcli listen` of this project: its provider, its secret',
        'whcli trigger push --listener 41234   # through that listener (see `whcli listeners`)',
        'whcli trigger payment.succeeded --set data.amount=4200 --forward localhost:3000',
        'whcli trigger charge.success --provider lahza --retries --time-scale 60 --forward 3000 --secret sk_test',
        'whcli trigger push --provider github --dry-run --secret s3cret',
        'whcli trigger invoice.paid --provider stripe --api-version 2024-06-20 --set-new data.object.metadata.plan=pro --dry-run --secret whsec_test',
        'whcli trigger --scenario checkout --provider stripe --forward 3000/webhooks',
        'whcli trigger invoice.paid --route stripe   # provider, secret and handler from the config route',
        'whcli trigger url_verification --provider slack --forward 3000/slack/events   # the handshake: exit 1 unless the challenge is echoed',
      ]),
    )
    .action(async (event: string | undefined, opts) => {
      if (opts.scenario || event === undefined) {
        const { triggerScenarioAction } = await import('./cli-trigger-scenario.js');
        return triggerScenarioAction(event, opts, deps);
      }
      const quiet = opts.json || opts.dryRun;
      // Colour (chalk and its terminal detection) loads only for output it colours: not --json's or --dry-run's.
      const [{ trigger, triggerFailure }, view, term] = await Promise.all([
        import('./commands/trigger.js'),
        import('./ui/trigger-view.js'),
        quiet ? undefined : terminal(),
      ]);
      const result = await trigger(
        { event, ...opts },
        {
          environment: environment(),
          signal: deps.signal,
          onStart: term && ((head) => view.printTriggerHeader(term, head)),
          onAttempt: term && ((attempt, next) => view.printAttempt(term, attempt, next)),
        },
      );
      if (opts.json) printJson(result);
      else if (opts.dryRun) view.printDryRun(printLine, result);
      if (!result.ok) throw triggerFailure(result);
    });
}
