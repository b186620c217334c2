import { type Command, Option } from 'commander';
import type { ProgramDeps } from './cli-program.js';
import { environment, examples, terminal } from './cli-helpers.js';

/** `whcli verify`: the CI gate. The command and its view load only when it runs. */
export function addVerifyCommand(program: Command, deps: ProgramDeps): Command {
  return program
    .command('verify')
    .description('CI gate: check a handler against every event type (signed, forged, unsigned, replayed, duplicate, raw body; stress and scenarios on request); exit 1 on any failure')
    .option('-f, --forward <url>', 'the handler: 3000, localhost:3000/path or a URL (default: "forward" in the config file)')
    .option('-p, --provider <name>', 'provider whose events and signatures to use (default: the config file\'s)')
    .option('-s, --secret <secret>', 'signing secret the handler expects (default: $WHCLI_SECRET or the config file)')
    .option('-e, --events <list>', "comma-separated event types, or all (default: the config file's events, else all)")
    .option('--checks <list>', 'comma-separated: handshake, delivery, forgery, unsigned, replay, duplicate, raw-body, concurrent, out-of-order, burst; or default, stress, all (default: the non-stress checks that apply)', process.env.WHCLI_VERIFY_CHECKS)
    .option('--diagnose', 'when a signed delivery gets a 4xx, send probes and name the likely cause')
    .option('--effects <url>', 'URL answering how many times the handler did the work (a number or {"count": n}); {id} becomes the event id')
    .option('--burst <n>', 'events the burst check sends', '20')
    .option('--burst-rate <per-second>', "pace of the burst (default: the provider's delivery rate)")
    .option('--scenario <name>', 'send a scenario\'s events in order, ids cross-referenced (see fixtures/<provider>/scenarios)')
    .option('--from <dir>', 'check recorded events (from `whcli history export`) instead of the catalogue\'s fixtures')
    .option('--timeout <duration>', "how long the handler gets per request (default: the provider's, e.g. 10s for lava)")
    .option('--concurrency <n>', 'checks in flight at once', '4')
    .addOption(new Option('--reporter <name>', 'report format').choices(['pretty', 'json', 'junit']).default('pretty'))
    .option('-o, --output <file>', 'write the json or junit report to a file; the table still prints')
    .option('--start <command>', 'start the handler first, e.g. "npm run dev"; its whole process tree is stopped at the end')
    .option('--wait-for <url>', 'wait until this host:port accepts connections before checking (default with --start: the --forward target)')
    .option('--wait-timeout <duration>', 'how long to wait for it', '60s')
    .option('--fail-fast', 'start no further checks after the first failure')
    .option('--api-version <version>', 'API version the objects follow, for providers that have them, e.g. stripe 2024-06-20 (default: $WHCLI_API_VERSION or the newest)')
    .option('--route <name>', "check one route of whcli.config.json: its provider, handler and secret")
    .option('--routes', 'check every route of whcli.config.json in turn, in one report (events named "ROUTE: event")')
    .option('-c, --config <file>', 'config file (default: whcli.config.json here or above)')
    .addHelpText(
      'after',
      examples([
        'whcli verify --provider stripe --forward localhost:3000/webhooks --secret whsec_test',
        'whcli verify -p github -f 3000/hooks --events push,ping --checks delivery,forgery',
        'whcli verify -p stripe -f 3000/webhooks --start "npm run dev" --reporter junit --output verify.xml',
        'whcli verify -p stripe -f 3000/webhooks --api-version 2024-06-20 --events invoice.paid,customer.subscription.updated',
        'whcli verify -p lava -f 8080 --reporter json | jq ".results[] | select(.status == \\"failed\\")"',
        'whcli verify -p stripe -f 3000/webhooks --diagnose',
        'whcli verify -p stripe -f 3000/webhooks --checks raw-body',
        'whcli verify -p stripe -f 3000/webhooks --checks concurrent --effects "localhost:3000/test/effects?id={id}"',
        'whcli verify -p github -f 3000/hooks --checks out-of-order,burst --burst 50 --burst-rate 20',
        'whcli verify -p stripe -f 3000/webhooks --checks all',
        'whcli verify -p stripe -f 3000/webhooks --scenario checkout',
        'whcli verify -p stripe -f 3000/webhooks --from fixtures/recorded',
        'whcli verify --routes --reporter junit --output verify.xml   # every route\'s handler, one JUnit file',
      ]) +
        `
Checks, for each event type:
  delivery   a correctly signed event gets a 2xx within the timeout (latency reported)
  forgery    the event signed with a wrong secret gets a 4xx
  unsigned   the event without any signature header gets a 4xx
  replay     a correct signature dated past the scheme's tolerance gets a 4xx (timestamped schemes only)
  duplicate  the same event id delivered twice gets a 2xx both times
  raw-body   a correctly signed body laid out unlike JSON.stringify (indented, \\u escapes, an
             integer past 2^53) gets a 2xx: fails handlers that verify a re-serialized body
Once per run, for slack, zoom, twitch and discord:
  handshake  the provider's verification handshake (url_verification, endpoint.url_validation,
             webhook_callback_verification, PING), signed, gets the answer the provider requires
Stress checks (--checks stress, or all):
  concurrent    the same event id twice at the same instant: both 2xx; with --effects, work done once
  out-of-order  the later event of an object (e.g. subscription.updated) before the earlier: no 5xx
  burst         --burst events at the provider's delivery rate: every one 2xx within the timeout;
                p50/p99 latency reported, a warning above half the timeout
--scenario runs a scenario's steps in order (check "scenario"); --from replays recorded events.
--diagnose probes a 4xx to a signed delivery (other secret, re-serialized body, shifted timestamp,
renamed, lower-cased or repeated signature header) and prints the likely cause per event.
$WHCLI_VERIFY_CHECKS sets --checks.

Exit codes: 0 every check passed, 1 a check failed or the handler is unreachable, 2 usage error.
`,
    )
    .action(async (opts) => {
      const [{ verify, verifyFailure }, view, term] = await Promise.all([
        import('./commands/verify.js'),
        import('./ui/verify-view.js'),
        terminal(),
      ]);
      // json or junit without --output goes to stdout alone, so it can be piped.
      const machineOnly = opts.reporter !== 'pretty' && !opts.output;
      const progress = machineOnly
        ? undefined
        : view.createProgress(term, { isTTY: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) });
      let report;
      try {
        report = await verify(opts, {
          environment: environment(),
          signal: deps.signal,
          onPlan: progress?.plan,
          onReady: progress?.ready,
          onResult: progress?.result,
        });
      } finally {
        progress?.stop();
      }
      if (machineOnly) {
        const { renderReport } = await import('./verify/reporters.js');
        process.stdout.write(renderReport(report, opts.reporter));
      } else {
        view.printVerifyReport(term, report, { outputFile: opts.output, reporter: opts.reporter });
      }
      const failure = verifyFailure(report);
      if (failure) throw failure;
    });
}
