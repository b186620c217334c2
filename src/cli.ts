import type { Command } from 'commander';
import { collect, environment, examples, ndjsonWriter, printJson, terminal } from './cli-helpers.js';
import { createProgram, type ProgramDeps } from './cli-program.js';
import { addSignCommand } from './cli-sign.js';
import { addTriggerCommand } from './cli-trigger.js';
import { addVerifyCommand } from './cli-verify.js';
import { addHistoryExportCommand } from './cli-history-export.js';
import { addSetupCommands } from './cli-setup.js';
import { DEFAULT_LISTEN_CONCURRENCY } from './tunnel/defaults.js';
import { addKeysCommand } from './cli-keys.js';

/** Top-level commands in the order help lists them, each with what registers it (one may register several). */
const COMMANDS: [names: readonly string[], add: (program: Command, deps: ProgramDeps) => void][] = [
  [['trigger'], addTriggerCommand],
  [['sign'], addSignCommand],
  [['providers'], addProvidersCommand],
  [['events'], addEventsCommand],
  [['listen'], addListenCommand],
  [['listeners'], addListenersCommand],
  [['relay'], addRelayCommand],
  [['channels'], addChannelsCommand],
  [['history'], (program) => void addHistoryExportCommand(addHistoryCommand(program))],
  [['replay'], addReplayCommand],
  [['verify'], addVerifyCommand],
  [['init', 'completion'], addSetupCommands],
  [['keys'], addKeysCommand],
];

/**
 * The command-line interface; each command's module is loaded only when it runs. Given the command
 * about to run, only that one is registered: building every command's options was a good part of a
 * short command's start-up. Help, `completion` and unknown names get every command.
 */
export function buildProgram(deps: ProgramDeps, invoked?: string): Command {
  const program = createProgram();
  const only = invoked === undefined || invoked === 'completion' ? undefined : COMMANDS.find(([names]) => names.includes(invoked));
  for (const [, add] of only ? [only] : COMMANDS) add(program, deps);
  return program;
}

function addProvidersCommand(program: Command): void {
  program
    .command('providers')
    .description('list the providers: signing family and scheme, headers, events, timeout, retries, doc source')
    .argument('[provider]', 'show one provider in full: doc URL, scheme, events and every assumption')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file')
    .addHelpText('after', examples(['whcli providers', 'whcli providers twilio', 'whcli providers --json | jq ".[].name"']))
    .action(async (name: string | undefined, opts) => {
      const [{ listProviders }, view, term] = await Promise.all([
        import('./commands/catalogue.js'),
        import('./ui/catalogue-view.js'),
        terminal(),
      ]);
      const providers = await listProviders({ ...opts, provider: name }, { environment: environment() });
      if (opts.json) printJson(name ? view.providerSummary(providers[0]!) : providers.map(view.providerSummary));
      else if (name) view.printProviderDetail(term, providers[0]!);
      else view.printProviders(term, providers);
    });
}

function addEventsCommand(program: Command): void {
  program
    .command('events')
    .description('list the event types that have fixtures')
    .option('-p, --provider <name>', 'only this provider')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file')
    .addHelpText('after', examples(['whcli events', 'whcli events --provider stripe --json']))
    .action(async (opts) => {
      const [{ listProviders }, view, term] = await Promise.all([
        import('./commands/catalogue.js'),
        import('./ui/catalogue-view.js'),
        terminal(),
      ]);
      const providers = await listProviders(opts, { environment: environment() });
      if (opts.json) printJson(providers.flatMap((p) => p.events.map((e) => ({ provider: p.name, ...e }))));
      else view.printEvents(term, providers);
    });
}

function addListenCommand(program: Command, deps: ProgramDeps): void {
  program
    .command('listen')
    .description('tunnel: forward every event a relay channel receives to your handler, re-signed')
    .option('-f, --forward <url>', 'your handler: 3000, localhost:3000/webhooks or a URL')
    .option('-r, --relay <url>', 'relay base URL, http(s) or ws(s) (default: an embedded relay on loopback)')
    .option('-p, --provider <name>', 'provider to re-sign as (see `whcli providers`)')
    .option('-s, --secret <secret>', 'signing secret (default: $WHCLI_SECRET or the config file)')
    .option('-e, --events <list>', 'forward only these event types, comma-separated')
    .option('--timeout <duration>', "handler timeout (default: the provider's)")
    .option('--no-resign', 'pass the signature headers through untouched')
    .option('--verify-incoming <secret>', "the provider's real secret: forward only events whose own signature verifies with it (default: $WHCLI_VERIFY_INCOMING)")
    .option('--concurrency <n>', `deliveries in flight at once (default ${DEFAULT_LISTEN_CONCURRENCY}: no well-known provider delivers in order)`)
    .option('--ordered', 'deliver one event at a time, in the order the relay received them (same as --concurrency 1)')
    .option('--port <port>', 'port of the embedded relay (default 8787; $WHCLI_PORT)')
    .option('--max-body <size>', 'largest event body the embedded relay accepts (default 25mb, what GitHub sends; $WHCLI_MAX_BODY)')
    .option('-H, --header <name:value>', 'add a header to every forwarded request (repeatable)', collect)
    .option('-k, --insecure', "accept the handler's TLS certificate unchecked (a local self-signed one); or trust its CA with NODE_EXTRA_CA_CERTS")
    .option('--relay-key <key>', 'access key of a team relay (whk_…; $WHCLI_RELAY_KEY or relayKey in the config file keep it out of `ps`)')
    .option('--channel <name>', 'a named channel on a team relay: the same URL every time, on every machine, for your key')
    .option('--source <smee|url>', 'a public front with no deployment: "smee" creates a smee.io channel, or give a smee channel URL')
    .option('--public-url <url>', 'the HTTPS URL a tunnel (ngrok, cloudflared, Tailscale Funnel) gives the embedded relay: printed as the webhook URL')
    .option('--no-history', 'do not record deliveries for `whcli history`')
    .option('--inspect <port>', 'web inspector on 127.0.0.1: live events, replay, copy as curl (default 4040; 0: any free port)')
    .option('--no-inspect', 'do not serve the web inspector')
    .option('--route <route>', 'a route NAME:[/PATH][:EVENT,GLOB*]=FORWARD[@PROVIDER], repeatable; secret from $WHCLI_SECRET_<NAME>', collect)
    .option('--retries', "retry failed deliveries locally on the provider's schedule (same event id, fresh signature)")
    .option('--retry-mode <mode>', 'with --retries: which schedule, live (default) or e.g. test')
    .option('--time-scale <n>', 'with --retries: divide retry delays by n (60 turns minutes into seconds; default $WHCLI_TIME_SCALE or 1)')
    .option('--env-file <file>', "write the signing secret into your app's dotenv file (one line created or updated, mode 0600)")
    .option('--dotenv <file>', 'same as --env-file; use it on Node 20, whose runtime reads an --env-file argument itself (and fails when the file is missing)')
    .option('--env-var <name>', 'with --env-file: the variable name (default e.g. STRIPE_WEBHOOK_SECRET, else WEBHOOK_SECRET)')
    .option('--json', 'NDJSON on stdout: a ready object, then one object per delivery')
    .option('-c, --config <file>', 'config file')
    .addHelpText(
      'after',
      examples([
        'whcli listen --forward localhost:3000/webhooks --provider stripe --secret whsec_test',
        "WHCLI_SECRET_STRIPE=whsec_a WHCLI_SECRET_GH=s3cret whcli listen --route 'stripe:/stripe=3000/webhooks/stripe@stripe' --route 'gh:/github=4000/hooks@github'",
        "whcli listen --route 'billing::invoice.*,charge.*=3000/billing@stripe'   # by event type",
        'whcli listen -f 3000 -p stripe -s whsec_test --retries --time-scale 60   # retry failures on Stripe\'s schedule, a minute per second',
        'whcli listen -f 3000 -p stripe -s whsec_test --env-file .env   # STRIPE_WEBHOOK_SECRET=whsec_test in .env',
        'whcli listen -f 3000 -p github -s s3cret --events push,pull_request.opened',
        'whcli listen -f 3000 --relay https://relay.example.com --json | jq .',
        'WHCLI_RELAY_KEY=whk_… whcli listen -f 3000 --relay https://hooks.example.com --channel stripe',
        'whcli listen -f 3000 -p stripe -s whsec_test --inspect 4041   # then open http://127.0.0.1:4041',
        'WHCLI_VERIFY_INCOMING=whsec_live_... whcli listen -f 3000 -p stripe -s whsec_test   # secret kept out of `ps`',
        "whcli listen -f https://localhost:8443/hooks --insecure -H 'X-Env: dev' --no-resign",
        'whcli listen -f 3000 -p stripe -s whsec_test --source smee    # a public smee.io URL, events re-signed',
        'whcli listen -f 3000 -p github -s s3cret --public-url https://abc.ngrok.app   # beside `ngrok http 8787`',
      ]),
    )
    .action(async (opts) => {
      const [{ listen }, view, term] = await Promise.all([import('./commands/listen.js'), import('./ui/listen-view.js'), terminal({ bounded: true })]);
      const wasReady = { value: false };
      const ndjson = ndjsonWriter();
      const line = (value: unknown) => ndjson.write(value);
      let summary;
      try {
        summary = await listen(opts, {
          environment: environment(),
          signal: deps.signal,
          onReady: (ready) => (opts.json ? line({ type: 'ready', ...ready }) : view.printBanner(term, ready)),
          onDelivery: (delivery) => (opts.json ? line({ type: 'delivery', ...delivery }) : view.printDelivery(term, delivery)),
          onStatus: (status) => (opts.json ? status.type !== 'connecting' && line({ ...status, type: 'status', status: status.type }) : view.printStatus(term, status, wasReady)),
          onNotice: (message) => term.err(term.color.yellow(view.sanitize(message))),
          onRefused: (refused) => (opts.json ? line({ type: 'refused', ...refused }) : view.printRefused(term, refused)),
          onReplay: (replay) => (opts.json ? line({ ...replay, type: 'replay' }) : view.printReplay(term, replay)),
        });
      } finally {
        ndjson.flush();
      }
      if (!opts.json) term.err(term.color.dim(`stopped: ${summary.delivered} delivered, ${summary.failed} failed`));
    });
}

function addListenersCommand(program: Command): void {
  program
    .command('listeners')
    .description('list the running `whcli listen` processes; `trigger` uses the one started for this project')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file')
    .addHelpText('after', examples(['whcli listeners', 'whcli listeners --json | jq ".[] | select(.here)"']))
    .action(async (opts) => {
      const [{ listListeners }, view, term] = await Promise.all([import('./commands/listeners.js'), import('./ui/listeners-view.js'), terminal()]);
      const entries = await listListeners(opts, { environment: environment() });
      if (opts.json) printJson(entries);
      else view.printListeners(term, entries);
    });
}

function addRelayCommand(program: Command, deps: ProgramDeps): void {
  program
    .command('relay')
    .description('run the relay server: public channel URLs, listeners over WebSocket')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port', '8787')
    .option('--public-url <url>', 'base URL providers reach, e.g. https://hooks.example.com')
    .option('--max-body <size>', 'largest accepted body', '5mb')
    .option('--retention <duration>', 'how long events are kept', '24h')
    .option('--max-pending <n>', 'unacknowledged events per channel before ingress answers 503', '10000')
    .option('--respond-with <mode>', 'ok: answer 200 at once; handler: answer with the handler\'s status', 'ok')
    .option('--respond-timeout <duration>', 'with --respond-with handler, how long to wait', '30s')
    .option('--store <store>', 'memory, file[:<dir>] (default, in the user data dir) or redis://host:port/db')
    .option('--fsync <policy>', 'file store: always (default; 200 only once on disk) or never')
    .option('--rate-limit <rate>', 'ingress requests per channel, e.g. 100/s or 600/m; over it: 429 + Retry-After; 0 turns it off', '100/s')
    .option('--rate-burst <n>', 'requests a channel may send at once above the rate (default: 2 s worth)')
    .option('--max-listeners <n>', 'listeners per channel; one more is refused with 429 (0: no cap)', '10')
    .option('--max-channel-bytes <size>', 'unacknowledged bytes per channel before 503 + Retry-After (default 256mb, $WHCLI_RELAY_MAX_CHANNEL_BYTES)')
    .option('--max-total-bytes <size>', 'unacknowledged bytes over all channels before 503 + Retry-After (default 1gb, $WHCLI_RELAY_MAX_TOTAL_BYTES)')
    .option('--keep-acked <size>', 'acknowledged history a channel keeps for late listeners (default 16mb, $WHCLI_RELAY_KEEP_ACKED)')
    .option('--max-channels <n>', 'channels before creation answers 503; 0: no cap (default 100000, $WHCLI_RELAY_MAX_CHANNELS)')
    .option('--channel-rate <rate>', 'channel creations per client address, e.g. 60/m; 0 turns it off (default 60/m, $WHCLI_RELAY_CHANNEL_RATE)')
    .option('--channel-idle <duration>', 'delete channels with no event and no listener for this long; 0: never (default 7d, $WHCLI_RELAY_CHANNEL_IDLE)')
    .option('--tls-cert <file>', 'PEM certificate chain: serve HTTPS and WSS directly (reloaded on SIGHUP)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--log-format <format>', 'one line per request on stderr (method, channel, status, bytes, ms; never bodies or keys): text, json or none (default none, $WHCLI_RELAY_LOG_FORMAT)')
    .option('--open', 'no access keys, even beyond loopback or with keys in the store (a private network only)')
    .option('--key-rate <rate>', 'channel creations per access key, e.g. 60/m; 0 turns it off (default 60/m, $WHCLI_RELAY_KEY_RATE)')
    .option('--max-channels-per-key <n>', 'channels one access key may own; 0: no cap (default 100, $WHCLI_RELAY_MAX_CHANNELS_PER_KEY)')
    .option('--json', 'log as NDJSON')
    .addHelpText(
      'after',
      examples([
        'whcli relay --port 8787',
        'whcli relay --host 0.0.0.0 --port 443 --tls-cert fullchain.pem --tls-key privkey.pem   # kill -HUP <pid> after a renewal',
        'whcli relay keys create --name alice   # then: whcli listen --relay <url> --relay-key whk_…',
        'whcli relay --store redis://127.0.0.1:6379/0 --port 8788   # one of several behind a load balancer',
        'whcli relay --host 0.0.0.0 --public-url https://hooks.example.com --max-body 1mb',
        'whcli relay --respond-with handler   # exercise provider retries end to end',
        'whcli relay --rate-limit 20/s --rate-burst 50 --max-listeners 3',
        'whcli relay --max-total-bytes 512mb --max-channels 10000 --channel-idle 24h   # a small public relay',
      ]),
    )
    .action(async (opts) => {
      const [{ runRelay }, term] = await Promise.all([import('./commands/relay.js'), terminal()]);
      await runRelay(opts, {
        environment: environment(),
        signal: deps.signal,
        onListening: (info) =>
          opts.json
            ? process.stdout.write(`${JSON.stringify({ type: 'listening', ...info })}\n`)
            : term.out(`whcli relay listening on ${info.url} (store: ${info.store}; ${info.access})`),
        log: (line) => term.err(`whcli relay: ${line}`),
        onRequest: (entry, format) =>
          process.stderr.write(
            format === 'json'
              ? `${JSON.stringify({ type: 'request', time: new Date().toISOString(), ...entry })}\n`
              : `${new Date().toISOString()} ${entry.method} ${entry.channel ?? entry.path} ${entry.status} ${entry.bytes}B ${entry.ms}ms\n`,
          ),
        onReloadRequest: (reload) => {
          process.on('SIGHUP', reload);
          return () => process.off('SIGHUP', reload);
        },
      });
    });

  const relayCommand = program.commands.find((c) => c.name() === 'relay')!;
  const keys = relayCommand
    .command('keys')
    .description('access keys: who may create and listen on channels of this relay (stored hashed in its store)')
    .addHelpText('after', examples(['whcli relay keys create --name alice', 'whcli relay keys list --store redis://127.0.0.1:6379/0 --json', 'whcli relay keys revoke alice']));
  const keyStoreOption = '--store <store>';
  const keyStoreHelp = 'the relay\'s store: file[:<dir>] (default, $WHCLI_RELAY_STORE) or redis://host:port/db';
  keys
    .command('create')
    .description('create a key; it is printed once, only its hash is kept')
    .requiredOption('--name <name>', 'who holds it, e.g. alice')
    .option(keyStoreOption, keyStoreHelp)
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples(['whcli relay keys create --name alice', 'whcli relay keys create --name ci --store file:/var/lib/whcli --json']))
    .action(async (_opts, command: Command) => {
      // --store and --json are relay's own flags too: commander hands them to the parent.
      const opts = command.optsWithGlobals();
      const [{ createKey }, term] = await Promise.all([import('./commands/relay-keys.js'), terminal()]);
      const created = await createKey(opts.name, opts, environment());
      if (opts.json) return void process.stdout.write(`${JSON.stringify(created)}\n`);
      term.out(created.key);
      term.err(`key "${created.name}" (${created.id}) created: this is the only time it is shown; give it to its holder as WHCLI_RELAY_KEY`);
    });
  keys
    .command('list')
    .description('list keys: name, id, prefix, created (never the key)')
    .option(keyStoreOption, keyStoreHelp)
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples(['whcli relay keys list', 'whcli relay keys list --json']))
    .action(async (_opts, command: Command) => {
      const opts = command.optsWithGlobals();
      const [{ listKeys }, term] = await Promise.all([import('./commands/relay-keys.js'), terminal()]);
      const list = await listKeys(opts, environment());
      if (opts.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
      if (list.length === 0) return term.err('no access keys: create one with `whcli relay keys create --name <who>`');
      for (const key of list) term.out(`${key.name}\t${key.id}\t${key.prefix}\t${key.createdAt}`);
    });
  keys
    .command('revoke')
    .description('revoke a key by name or id; relays disconnect its listeners within seconds')
    .argument('<name-or-id>', 'the key\'s name or id (see keys list)')
    .option(keyStoreOption, keyStoreHelp)
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples(['whcli relay keys revoke alice', 'whcli relay keys revoke key_3xYz9a']))
    .action(async (nameOrId: string, _opts, command: Command) => {
      const opts = command.optsWithGlobals();
      const [{ revokeKey }, term] = await Promise.all([import('./commands/relay-keys.js'), terminal()]);
      const revoked = await revokeKey(nameOrId, opts, environment());
      if (opts.json) return void process.stdout.write(`${JSON.stringify({ revoked })}\n`);
      term.out(`revoked key "${revoked.name}" (${revoked.id})`);
    });
}

function addChannelsCommand(program: Command): void {
  const channels = program
    .command('channels')
    .description('list your channels on a team relay (those your access key owns), with their URLs; `channels rm NAME` deletes one')
    .option('-r, --relay <url>', 'the relay (default: "relay" in whcli.config.json)')
    .option('--relay-key <key>', 'your access key (whk_…; $WHCLI_RELAY_KEY or relayKey in the config file keep it out of `ps`)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples([
        'WHCLI_RELAY_KEY=whk_… whcli channels --relay https://hooks.example.com',
        'whcli channels --json | jq -r \'.channels[] | select(.name == "stripe") | .url\'',
        'whcli channels rm stripe --relay https://hooks.example.com',
      ]),
    )
    .action(async (opts) => {
      const [{ listChannels }, term] = await Promise.all([import('./commands/channels.js'), terminal()]);
      const listed = await listChannels(opts, environment());
      if (opts.json) return void process.stdout.write(`${JSON.stringify(listed)}\n`);
      if (listed.channels.length === 0) return term.err(`key "${listed.key}" owns no channel on ${listed.relay}: whcli listen --relay ${listed.relay} --channel <name> makes one`);
      for (const channel of listed.channels) term.out(`${channel.name ?? '(unnamed)'}\t${channel.url}\t${channel.createdAt}`);
    });
  channels
    .command('rm <name>')
    .description('delete one of your channels (by name, or id for an unnamed one) and every event the relay holds for it; its URL stops answering')
    .option('-r, --relay <url>', 'the relay (default: "relay" in whcli.config.json)')
    .option('--relay-key <key>', 'your access key (whk_…; $WHCLI_RELAY_KEY or relayKey in the config file keep it out of `ps`)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples(['whcli channels rm stripe --relay https://hooks.example.com', 'whcli channels rm ch_3f9c… --json']))
    .action(async (nameOrId: string, _opts, command: Command) => {
      const opts = command.optsWithGlobals();
      const [{ removeChannel }, term] = await Promise.all([import('./commands/channels.js'), terminal()]);
      const { relay, removed } = await removeChannel(nameOrId, opts, environment());
      if (opts.json) return void process.stdout.write(`${JSON.stringify({ relay, removed })}\n`);
      term.out(`deleted channel ${removed.name ? `"${removed.name}" ` : ''}(${removed.url}) and its stored events`);
    });
}

function addHistoryCommand(program: Command): Command {
  return program
    .command('history')
    .description('list recent events received by `whcli listen` and what the handler answered')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples(['whcli history', 'whcli history --limit 100 --json']))
    .action(async (opts) => {
      const [{ listHistory }, view, term] = await Promise.all([import('./commands/history.js'), import('./ui/history-view.js'), terminal()]);
      const entries = await listHistory(opts, { environment: environment() });
      if (opts.json) printJson(entries.map(({ body, ...rest }) => ({ ...rest, bodyBase64: body })));
      else view.printHistory(term, entries);
    });
}

function addReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('send an event from history to the handler again, freshly signed')
    .argument('<id>', 'relay event id (rev_...) or provider event id, from `whcli history`')
    .option('-f, --forward <url>', 'send here instead of where it went before')
    .option('-p, --provider <name>', 'provider to sign as (default: as recorded)')
    .option('-s, --secret <secret>', 'signing secret (default: $WHCLI_SECRET or the config file)')
    .option('--no-resign', 'send the recorded signature headers untouched')
    .option('--timeout <duration>', "handler timeout (default: the provider's)")
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config file')
    .option('-l, --listener <pid>', 'send through this running listener (pid or channel id, see `whcli listeners`)')
    .addHelpText(
      'after',
      examples([
        'whcli replay rev_3NBBzsNFid9PMys7      # signed with --secret/WHCLI_SECRET/config, else through this project\'s listener',
        'whcli replay evt_123 --forward localhost:4000/hooks --secret whsec_test',
      ]),
    )
    .action(async (id: string, opts) => {
      const [{ replay }, { answerFailure }, format, view, term] = await Promise.all([
        import('./commands/history.js'),
        import('./commands/answered-by.js'),
        import('./ui/format.js'),
        import('./ui/sanitize.js'),
        terminal(),
      ]);
      const out = await replay(id, opts, { environment: environment() });
      if (opts.json) printJson(out);
      else term.out(`${format.formatStatus(out.result, term.color)} ${view.sanitize(`${out.eventType ?? ''} -> ${out.url}`)} ${format.formatLatency(out.result.durationMs)}  ${view.sanitize(format.excerpt(out.result.body))}`);
      if (!out.result.ok) throw answerFailure(out);
    });
}
