/**
 * Messages that name the real cause: which part answered a `trigger` sent through a listener (the
 * listener's filter, its signature check, a refused connection, the relay's size limit, the handler),
 * and the usage errors `listen` gives instead of starting in a state that cannot work.
 */
import { createServer, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, listenTracked, startHandler } from '../helpers/http-handler.js';
import { spawnSync } from 'node:child_process';
import { BIN, makeHome, runCli, startListenerProcess, stopAllProcesses, WAIT_MS } from '../helpers/processes.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

const serve = (handle: Parameters<typeof createServer>[1]) => listenTracked(createServer(handle));

/** One `whcli:` line on stderr and the exit code. */
function failure(run: { code: number | null; stderr: string }): { code: number | null; line: string } {
  const lines = run.stderr.split('\n').filter(Boolean);
  expect(lines, run.stderr).toHaveLength(1);
  expect(run.stderr).not.toContain('    at ');
  return { code: run.code, line: lines[0]! };
}

const SLOW = WAIT_MS;

describe('trigger through a listener names the part that answered', () => {
  it('the listener filter, by event type', async () => {
    const home = await makeHome();
    const handler = await startHandler();
    await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_x', '--events', 'invoice.paid']);
    const run = await runCli(['trigger', 'charge.succeeded'], home, undefined, SLOW);
    expect(failure(run)).toEqual({
      code: 1,
      line: 'whcli: the listener did not deliver the event: event type "charge.succeeded" is filtered out: this listener forwards only invoice.paid',
    });
    expect(handler.requests).toHaveLength(0);
  });

  it('the incoming signature check', async () => {
    const home = await makeHome();
    const handler = await startHandler();
    await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_x', '--verify-incoming', 'whsec_real']);
    const run = await runCli(['trigger', 'invoice.paid', '--secret', 'whsec_wrong'], home, undefined, SLOW);
    expect(failure(run).line).toMatch(/^whcli: the listener did not deliver the event: not forwarded: .*signature/i);
    expect(handler.requests).toHaveLength(0);
  });

  it('a refused connection to the handler', async () => {
    const home = await makeHome();
    const gone = await startHandler();
    const url = gone.url;
    await gone.close();
    await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', url, '-p', 'stripe', '-s', 'whsec_x']);
    const run = await runCli(['trigger', 'invoice.paid'], home, undefined, SLOW);
    expect(failure(run)).toEqual({ code: 1, line: `whcli: the listener did not deliver the event: connection refused by ${url}: is the handler running?` });
  });

  it("the relay's body limit, and listen --max-body raises it", async () => {
    const home = await makeHome();
    const handler = await startHandler();
    const big = JSON.stringify({ blob: 'x'.repeat(4000) });
    const small = await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_x', '--max-body', '2kb']);
    const refused = await runCli(['trigger', 'invoice.paid', '--data', big], home, undefined, SLOW);
    expect(failure(refused)).toEqual({
      code: 1,
      line: 'whcli: the relay answered 413: body larger than 2048 bytes (the listener takes larger bodies with --max-body)',
    });
    expect(handler.requests).toHaveLength(0);
    await small.proc.kill('SIGTERM');

    await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_x', '--max-body', '1mb']);
    const accepted = await runCli(['trigger', 'invoice.paid', '--data', big], home, undefined, SLOW);
    expect(accepted.code, accepted.stderr).toBe(0);
  });

  it('the handler itself', async () => {
    const home = await makeHome();
    const handler = await startHandler(() => ({ status: 502, body: 'bad gateway from the app' }));
    await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_x']);
    const run = await runCli(['trigger', 'invoice.paid'], home, undefined, SLOW);
    expect(failure(run)).toEqual({ code: 1, line: 'whcli: handler answered 502' });
  });
});

describe('listen refuses what cannot work, with one line', () => {
  it('a provider without a secret, unless --no-resign', async () => {
    const home = await makeHome();
    const run = await runCli(['listen', '-f', '3000', '-p', 'stripe', '--port', '0', '--no-inspect'], home);
    expect(failure(run)).toEqual({
      code: 2,
      line: 'whcli: listen re-signs each event as stripe and needs its signing secret: pass --secret, set WHCLI_SECRET, or add "secret" to whcli.config.json; or pass --no-resign to forward the signatures as they arrive',
    });
    const passThrough = await startListenerProcess(home, ['-f', '3000', '-p', 'stripe', '--no-resign', '--port', '0', '--no-inspect']);
    expect(passThrough.ready).toMatchObject({ provider: 'stripe', resign: false });
  });

  it('--port out of range', async () => {
    const run = await runCli(['listen', '-f', '3000', '--port', '99999', '--no-inspect'], await makeHome());
    expect(failure(run)).toEqual({ code: 2, line: 'whcli: --port must be a port number (0 picks a free one), got "99999"' });
  });

  it('a channel URL as --relay, saying what to pass instead', async () => {
    const run = await runCli(['listen', '-f', '3000', '--relay', 'https://relay.example.com/hooks/c/ch_abc123', '--no-inspect'], await makeHome());
    expect(failure(run)).toEqual({
      code: 2,
      line: 'whcli: --relay "https://relay.example.com/hooks/c/ch_abc123" is a channel URL: pass the relay\'s base URL, --relay https://relay.example.com/hooks',
    });
  });

  it('a server that is not a relay: checked first, nothing posted to it, given up at once', async () => {
    const seen: string[] = [];
    const other = await serve((req, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(404).end('not here');
    });
    const run = await runCli(['listen', '-f', '3000', '--relay', other.url, '--no-inspect'], await makeHome());
    expect(failure(run)).toEqual({
      code: 1,
      line: `whcli: ${other.url} is not a whcli relay (GET /healthz answered 404): --relay takes the base URL of a \`whcli relay\` server`,
    });
    expect(seen).toEqual(['GET /healthz']);
  });
});

describe('listen -f https:// against a plain-HTTP handler', () => {
  it('says the handler speaks plain HTTP', async () => {
    const home = await makeHome();
    const handler = await startHandler();
    const httpsUrl = `https://127.0.0.1:${handler.port}`;
    await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', httpsUrl, '-p', 'stripe', '-s', 'whsec_x']);
    const run = await runCli(['trigger', 'invoice.paid'], home, undefined, SLOW);
    expect(failure(run).line).toBe(`whcli: the listener did not deliver the event: the handler at 127.0.0.1:${handler.port} speaks plain HTTP: use http://127.0.0.1:${handler.port}`);
    const direct = await runCli(['trigger', 'invoice.paid', '-p', 'stripe', '-s', 'whsec_x', '-f', httpsUrl], home, undefined, SLOW);
    expect(failure(direct).line).toBe(`whcli: the handler at 127.0.0.1:${handler.port} speaks plain HTTP: use http://127.0.0.1:${handler.port}`);
  });
});

describe('Ctrl-C in listen', () => {
  it('says it waits for deliveries in flight, and keeps the event delivered meanwhile in history', async () => {
    const home = await makeHome();
    let release: (() => void) | undefined;
    let onArrival: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (onArrival = resolve));
    const handler = await serve((req, res) => {
      req.resume();
      release = () => res.writeHead(200).end('late but fine');
      onArrival();
    });
    const listener = await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_x']);
    const sent = runCli(['trigger', 'invoice.paid', '--json'], home, undefined, SLOW);
    await arrived;
    listener.proc.child.kill('SIGINT');
    await listener.proc.waitForStderr(/stopping: waiting for 1 delivery in flight to finish; Ctrl-C again stops at once/);
    expect(listener.proc.alive).toBe(true);
    release!();
    await listener.proc.exited;
    expect(listener.proc.exitCode).toBe(130);
    const eventId = (JSON.parse((await sent).stdout) as { eventId: string }).eventId;
    const history = JSON.parse((await runCli(['history', '--json'], home)).stdout) as { eventId: string; report: { status: number } }[];
    expect(history).toEqual([expect.objectContaining({ eventId, report: expect.objectContaining({ status: 200 }) })]);
  }, WAIT_MS * 3);
});

describe('sign', () => {
  it('fails at once when stdin is a terminal and no --file is given', async () => {
    // `script` gives the child a real pseudo-terminal as stdin.
    const result = spawnSync('script', ['-qec', `${process.execPath} ${BIN} sign -p github -s s3cret`, '/dev/null'], { encoding: 'utf8', timeout: SLOW, env: { ...process.env, NO_COLOR: '1' } });
    expect(result.status).toBe(2);
    expect(result.stdout.trim()).toBe('whcli: sign reads the body from stdin, which is a terminal: pipe it in (cat body.json | whcli sign ...) or pass --file body.json');
  });
});
