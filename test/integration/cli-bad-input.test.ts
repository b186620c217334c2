/**
 * Every bad input the foundation issue names, through the real CLI: one `whcli:` line on stderr,
 * no stack trace, and the exit code (2 for usage errors, 1 for failures).
 * (A malformed fixture and a malformed config need a config file: see cli-config.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../helpers/foundation-cli.js';
import { closedPort, startHungServer, startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

let server: RecordingServer | undefined;
let hung: Awaited<ReturnType<typeof startHungServer>> | undefined;
afterEach(async () => {
  await server?.close();
  await hung?.close();
  server = undefined;
  hung = undefined;
});

// Independent subprocesses with no shared state: run them side by side.
describe.concurrent('usage errors: exit 2', () => {
  it('unknown event: suggests the nearest names', async () => {
    const line = expectOneLineError(await runCli(['trigger', 'invoice.pad', '--secret', 's', '--forward', '3000']), 2);
    expect(line).toMatch(/^whcli: unknown event "invoice\.pad"\. Did you mean "invoice\.paid"/);
    expect(line).toContain('Run "whcli events" to list them.');
  });

  it('unknown event for a named provider: suggests among its events', async () => {
    const line = expectOneLineError(await runCli(['trigger', 'pull_request.open', '--provider', 'github', '--secret', 's']), 2);
    expect(line).toMatch(/^whcli: unknown event "pull_request\.open" for provider github\. Did you mean "pull_request\.opened"/);
  });

  it('unknown command, also after `help`; `help <command>` shows that command\'s help', async () => {
    expectOneLineError(await runCli(['trigerr']), 2, /^whcli: unknown command "trigerr"\. Did you mean "trigger"/);
    expectOneLineError(await runCli(['help', 'nope']), 2, /^whcli: unknown command "nope"\. See whcli --help\.$/);
    const help = await runCli(['help', 'channels']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: whcli channels \[options\] \[command\]\n/);
    expect(help.stdout).toContain('whcli channels rm stripe');
    const root = await runCli(['help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/^Usage: whcli <command> \[options\]\n/);
    // Only the command being run is registered: its help still comes whole, and the root's lists every command.
    expect((await runCli(['sign', '--help'])).stdout).toMatch(/--provider <name>/);
    for (const name of ['trigger', 'sign', 'listen', 'relay', 'channels', 'verify', 'init', 'completion', 'keys']) expect(root.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('unknown provider', async () => {
    expectOneLineError(await runCli(['trigger', 'push', '--provider', 'github.com', '--secret', 's']), 2, /^whcli: unknown provider "github\.com"\. Did you mean "github"\?$/);
    expectOneLineError(await runCli(['events', '--provider', 'nope-nope-nope']), 2, /^whcli: unknown provider "nope-nope-nope"\. Known: laabam, /);
  });

  it('ambiguous event', async () => {
    expectOneLineError(await runCli(['trigger', 'payment.failed', '--secret', 's', '--dry-run']), 2, /\(laabam, hackmamba, yoco, razorpay\): pick one with --provider\.$/);
  });

  it.each([
    ['data..amount=1', /^whcli: invalid --set path "data\.\.amount": use dot paths like data\.amount, data\.items\.0\.id or data\.items\[0\]\.id$/],
    ['data.amout=1', /^whcli: --set data\.amout: no such field in the body; nearest existing path: data\.amount\. To add a field on purpose, use --set-new data\.amout=<value>$/],
    ['data.amount', /^whcli: invalid --set "data\.amount": expected path=value, e\.g\. data\.amount=100$/],
    ['data.amount.cents=1', /^whcli: invalid --set path "data\.amount\.cents": data\.amount is not an object$/],
  ])('invalid --set %j', async (set, message) => {
    expectOneLineError(await runCli(['trigger', 'invoice.paid', '--provider', 'laabam', '--secret', 's', '--dry-run', '--set', set]), 2, message);
  });

  it('unknown --api-version, naming the known ones', async () => {
    expectOneLineError(
      await runCli(['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', 's', '--dry-run', '--api-version', '2023-10-16']),
      2,
      /^whcli: unknown --api-version "2023-10-16" for stripe\..* Known: \d{4}-\d\d-\d\d\.\w+, 2024-06-20\.$/,
    );
  });

  it.each([
    ['ftp://x', /^whcli: invalid --forward "ftp:\/\/x": only http and https are supported$/],
    ['http://', /^whcli: invalid --forward "http:\/\/": expected a port, host:port\[\/path\] or an http\(s\) URL$/],
    ['localhost:99999', /^whcli: invalid --forward "localhost:99999": /],
    ['not a url', /^whcli: invalid --forward "not a url": /],
  ])('bad URL %j', async (forward, message) => {
    expectOneLineError(await runCli(['trigger', 'push', '--secret', 's', '--forward', forward]), 2, message);
  });

  it('missing secret', async () => {
    expectOneLineError(
      await runCli(['trigger', 'push', '--forward', '3000']),
      2,
      /^whcli: no signing secret: pass --secret, set WHCLI_SECRET, or add "secret" to whcli\.config\.json$/,
    );
  });

  it('unknown option, with a suggestion on the same line', async () => {
    expectOneLineError(await runCli(['trigger', 'push', '--bogus']), 2, /^whcli: unknown option '--bogus'$/);
    expectOneLineError(await runCli(['trigger', 'push', '--forwrd', '3000']), 2, /^whcli: unknown option '--forwrd' \(Did you mean --forward\?\)$/);
  });

  it('missing argument and missing option value', async () => {
    expectOneLineError(await runCli(['trigger']), 2, /^whcli: missing required argument 'event': give an event type \(e\.g\. whcli trigger invoice\.paid\) or --scenario <name>$/);
    expectOneLineError(await runCli(['trigger', 'push', '--timeout']), 2, /^whcli: option '--timeout <duration>' argument missing$/);
  });

  it('malformed --data, --header, --timeout and --time-scale', async () => {
    const base = ['trigger', 'push', '--secret', 's', '--forward', '3000'];
    expectOneLineError(await runCli([...base, '--data', '{"a":']), 2, /^whcli: --data value is not valid JSON: /);
    expectOneLineError(await runCli([...base, '--header', 'nocolon']), 2, /^whcli: invalid --header "nocolon": expected "Name: value"$/);
    expectOneLineError(await runCli([...base, '--timeout', 'soon']), 2, /^whcli: invalid --timeout "soon"/);
    expectOneLineError(await runCli([...base, '--retries', '--time-scale', '0']), 2, /^whcli: --time-scale must be a positive number, got "0"$/);
  });
});

describe('failures: exit 1', () => {
  it('unreachable target: connection refused on a port just closed', async () => {
    const port = await closedPort();
    const run = await runCli(['trigger', 'push', '--secret', 's', '--forward', `127.0.0.1:${port}/hooks`]);
    expectOneLineError(run, 1, new RegExp(`^whcli: connection refused by http://127\\.0\\.0\\.1:${port}: is the handler running\\?$`));
    expect(run.stdout).toContain('REFUSED');
  });

  it('non-2xx: shows the status on stderr and the body in the attempt line', async () => {
    server = await startRecordingServer(() => ({ status: 400, body: 'signature mismatch' }));
    const run = await runCli(['trigger', 'push', '--secret', 's', '--forward', server.url]);
    expectOneLineError(run, 1, /^whcli: handler answered 400$/);
    expect(run.stdout).toMatch(/#1 400 .* {2}signature mismatch/);
    expect(server.requests).toHaveLength(1);
  });

  it('non-2xx with --json: the result on stdout, the status on stderr', async () => {
    server = await startRecordingServer(() => ({ status: 503, body: 'maintenance' }));
    const run = await runCli(['trigger', 'push', '--secret', 's', '--forward', server.url, '--json']);
    expectOneLineError(run, 1, /^whcli: handler answered 503$/);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, attempts: [{ result: { status: 503, body: 'maintenance' } }] });
  });

  it('a handler that never answers: timeout, exit 1', async () => {
    hung = await startHungServer();
    const run = await runCli(['trigger', 'push', '--secret', 's', '--forward', hung.url, '--timeout', '300ms']);
    expectOneLineError(run, 1, new RegExp(`^whcli: no response from http://127\\.0\\.0\\.1:${hung.port} within 300ms$`));
  });
});
