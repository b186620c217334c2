/**
 * whcli on a developer's machine: a self-signed HTTPS handler (--insecure for that target, or its CA
 * in NODE_EXTRA_CA_CERTS), `localhost` reaching a handler bound to ::1 only, `listen -H`, the WHCLI_*
 * variables with flag > environment > config, and a config file with a secret readable by its owner only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, listenTracked, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, startRelayProcess, stopAllProcesses, WAIT_MS } from '../helpers/processes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whcli-machine-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

const SLOW = WAIT_MS;

const listen = async (server: Server, host: string) => (await listenTracked(server, host)).port;

describe('a local HTTPS handler with a self-signed certificate', () => {
  it('is refused with the fix named, accepted with --insecure or NODE_EXTRA_CA_CERTS', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const hits: string[] = [];
    const port = await listen(
      createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
        hits.push(req.url ?? '');
        req.resume();
        res.end('ok');
      }),
      '127.0.0.1',
    );
    const home = await makeHome();
    const target = `https://127.0.0.1:${port}/tls`;
    const args = ['trigger', 'push', '-p', 'github', '-s', 's3cret', '-f', target];

    const refused = await runCli(args, home, undefined, SLOW);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `whcli: the certificate of https://127.0.0.1:${port} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): pass --insecure for a local handler, or NODE_EXTRA_CA_CERTS=<ca.pem>`,
    );
    expect((await runCli([...args, '--insecure'], home, undefined, SLOW)).code).toBe(0);
    expect((await runCli(args, home, { NODE_EXTRA_CA_CERTS: cert }, SLOW)).code).toBe(0);

    // The listener trusts it for its own target only, with the same flag.
    await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', target, '-p', 'github', '-s', 's3cret', '--insecure']);
    const through = await runCli(['trigger', 'push'], home, undefined, SLOW);
    expect(through.code, through.stderr).toBe(0);
    expect(hits).toEqual(['/tls', '/tls', '/tls']);
  });
});

it('localhost reaches a handler bound to ::1 only, as curl does', async () => {
  const hits: string[] = [];
  const port = await listen(
    createHttpServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      res.end('ok');
    }),
    '::1',
  );
  const home = await makeHome();
  const direct = await runCli(['trigger', 'push', '-p', 'github', '-s', 's3cret', '-f', `localhost:${port}/v6`], home, undefined, SLOW);
  expect(direct.code, direct.stderr).toBe(0);
  await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', `${port}/v6`, '-p', 'github', '-s', 's3cret']);
  expect((await runCli(['trigger', 'push'], home, undefined, SLOW)).code).toBe(0);
  expect(hits).toEqual(['/v6', '/v6']);
});

it('listen -H adds headers to every forwarded request, replacing one of the same name', async () => {
  const home = await makeHome();
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-H', 'X-Env: dev', '-H', 'user-agent: whcli-test']);
  await fetch(listener.ready.url, { method: 'POST', headers: { 'User-Agent': 'provider/1.0' }, body: '{"id":"evt_h"}' });
  const [request] = await handler.waitForRequests(1);
  expect(headerValues(request!, 'x-env')).toEqual(['dev']);
  expect(headerValues(request!, 'user-agent')).toEqual(['whcli-test']);
});

describe('WHCLI_* variables: flag > environment > config', () => {
  it('trigger: provider, forward and secret', async () => {
    const home = await makeHome();
    const [fromConfig, fromEnv, fromFlag] = await Promise.all([startHandler(), startHandler(), startHandler()]);
    const project = await mkdtemp(join(dir, 'project-'));
    await writeFile(join(project, 'whcli.config.json'), JSON.stringify({ provider: 'laabam', forward: fromConfig.url, secret: 'config_secret' }));
    const env = { WHCLI_PROVIDER: 'stripe', WHCLI_FORWARD: fromEnv.url, WHCLI_SECRET: 'whsec_env' };
    const result = async (args: string[], extra?: Record<string, string>) => {
      const run = await runCli(['trigger', 'invoice.paid', '--json', ...args], home, extra, SLOW, project);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { provider: string; url: string };
    };
    expect(await result([])).toMatchObject({ provider: 'laabam', url: `${fromConfig.url}/` });
    expect(await result([], env)).toMatchObject({ provider: 'stripe', url: `${fromEnv.url}/` });
    const [signed] = await fromEnv.waitForRequests(1);
    new Stripe('sk_test_not_used').webhooks.constructEvent(signed!.body, headerValues(signed!, 'stripe-signature')[0]!, 'whsec_env');
    expect(await result(['-p', 'standard-webhooks', '-f', fromFlag.url, '-s', 'whsec_ZmxhZw=='], env)).toMatchObject({ provider: 'standard-webhooks', url: `${fromFlag.url}/` });
  });

  it('listen: relay, forward, provider, secret and events', async () => {
    const home = await makeHome();
    const relay = await startRelayProcess(home);
    const handler = await startHandler();
    const { startCli } = await import('../helpers/processes.js');
    const env = { WHCLI_RELAY: relay.url, WHCLI_FORWARD: handler.url, WHCLI_PROVIDER: 'github', WHCLI_SECRET: 'gh', WHCLI_EVENTS: 'push' };
    const proc = startCli(['listen', '--json', '--no-inspect'], home, env);
    const ready = await proc.waitForLine((l) => l.type === 'ready', 'the ready line');
    expect(ready).toMatchObject({ relay: `${relay.url}/`, embedded: false, forward: `${handler.url}/`, provider: 'github', resign: true, events: ['push'] });
    await proc.kill();
    const flagged = startCli(['listen', '--json', '--no-inspect', '--port', '0', '-p', 'stripe', '-s', 'whsec_f', '-e', 'invoice.paid', '--relay', ''], home, env);
    const second = await flagged.waitForLine((l) => l.type === 'ready', 'the ready line');
    expect(second).toMatchObject({ embedded: true, provider: 'stripe', events: ['invoice.paid'] });
  });
});

it('init writes a config holding a secret readable by its owner only', async () => {
  const project = await mkdtemp(join(dir, 'init-'));
  const run = await runCli(['init', '--provider', 'stripe', '--forward', '3000/webhooks', '--generate-secret'], await makeHome(), undefined, SLOW, project);
  expect(run.code, run.stderr).toBe(0);
  expect((await stat(join(project, 'whcli.config.json'))).mode & 0o777).toBe(0o600);
});
