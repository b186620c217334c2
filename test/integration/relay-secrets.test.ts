/**
 * Where secrets may and may not appear (SECURITY.md, "What is stored"): the listener token and the
 * signing secret never show in any output (`listen --json`, `relay --json`, `history --json`,
 * `trigger --json`/`--dry-run`, `sign --json`, /metrics), nor in the relay's store (the token only as
 * its SHA-256) or the delivery history; a Redis password never shows. The token is kept, by design, in
 * the user's own channels.json at mode 0600.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { trigger } from '../../src/commands/trigger.js';
import { builtinProviders } from '../../src/providers/builtin.js';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startCli, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { postEvent, savedChannel } from '../helpers/relay-client.js';
import { redisAvailable, startRedis } from '../helpers/redis-server.js';

const SECRET = 'whsec_S3CRET_never_printed_4f9a';

let storeDir: string | undefined;
afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
  storeDir = undefined;
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('the listener token and the signing secret', () => {
  it('appear in no output, store, history or state file; the token only in channels.json at 0600', async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'whcli-secrets-store-'));
    const home = await makeHome();
    const relay = await startRelayProcess(home, ['--store', `file:${storeDir}`]);
    const handler = await startHandler();
    const listener = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url, '--provider', 'stripe', '--secret', SECRET]);
    const { token } = await savedChannel(home, relay.url);
    expect(token).toMatch(/^wht_/);

    // The running-listener record (read by `whcli trigger`) names the ingress URL, readable by its owner only.
    const [record] = (await readdir(join(home, 'state'))).filter((n) => n.startsWith('listen-'));
    expect(await mode(join(home, 'state', record!))).toBe(0o600);

    await postEvent(listener.ready.url, '{"id":"evt_secret_test","type":"invoice.paid"}', { 'stripe-signature': 't=1,v1=00' });
    await listener.proc.waitForLine((l) => l.type === 'delivery', 'the delivery');
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    await listener.proc.kill('SIGTERM');
    const history = await runCli(['history', '--json'], home);
    expect(history.code).toBe(0);

    const outputs = {
      'listen --json stdout': listener.proc.stdout,
      'listen stderr': listener.proc.stderr,
      'relay --json stdout': relay.proc.stdout,
      'relay stderr': relay.proc.stderr,
      'history --json': history.stdout,
      '/metrics': metrics,
    };
    for (const [where, text] of Object.entries(outputs)) {
      expect(text, where).not.toContain(token);
      expect(text, where).not.toContain(SECRET);
    }
    expect(listener.proc.lines.find((l) => l.type === 'ready')).not.toHaveProperty('token');

    // At rest: the store keeps the token's SHA-256, never the token; nothing else holds either.
    const log = await readFile(join(storeDir, 'relay.log'));
    expect(log.includes(token)).toBe(false);
    expect(log.includes(createHash('sha256').update(token).digest('hex'))).toBe(true);
    for (const file of await filesUnder(home)) {
      const text = await readFile(file, 'latin1');
      expect(text, file).not.toContain(SECRET);
      if (!file.endsWith('channels.json')) expect(text, file).not.toContain(token);
    }
    expect(await mode(join(home, 'config', 'channels.json'))).toBe(0o600);
    expect(await mode(join(home, 'data', 'history.ndjson'))).toBe(0o600);
  });

  it('appear in no output of the relay embedded in `whcli listen`', async () => {
    const home = await makeHome();
    const handler = await startHandler();
    const listener = await startListenerProcess(home, ['--port', '0', '--forward', handler.url, '--provider', 'github', '--secret', SECRET]);
    const channels = JSON.parse(await readFile(join(home, 'config', 'channels.json'), 'utf8')) as Record<string, { token: string }>;
    const { token } = Object.values(channels)[0]!;
    await postEvent(listener.ready.url, '{"action":"opened"}', { 'x-github-event': 'issues' });
    await listener.proc.waitForLine((l) => l.type === 'delivery', 'the delivery');
    await listener.proc.kill('SIGTERM');
    for (const text of [listener.proc.stdout, listener.proc.stderr]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(SECRET);
    }
  });
});

describe('trigger and sign', () => {
  // A static token or basic auth is the secret itself on the wire, and an asymmetric scheme's secret is a
  // private key (test/integration/providers-keys.test.ts proves it is never printed): both are left out.
  const signedWithSecret = builtinProviders.filter((p) => !['token', 'basic-auth', 'asymmetric'].includes(p.scheme.type));
  it.each(signedWithSecret.map((p) => [p.name, p.events[0]!.name]))('trigger --dry-run --json for %s shows signatures, never the secret', async (provider, event) => {
    const result = await trigger({ event, provider, secret: SECRET, dryRun: true }, { environment: { cwd: tmpdir(), env: {} } });
    const printed = JSON.stringify(result);
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(SECRET.replace(/^whsec_/, ''));
    expect(Object.keys(result.headers).length).toBeGreaterThan(0);
  });

  it('trigger --json, trigger --dry-run and sign --json print no secret', async () => {
    const home = await makeHome();
    const handler = await startHandler();
    const runs = await Promise.all([
      runCli(['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', SECRET, '--forward', handler.url, '--json'], home),
      runCli(['trigger', 'push', '--provider', 'github', '--secret', SECRET, '--dry-run'], home),
      runCli(['trigger', 'push', '--provider', 'github', '--dry-run', '--json'], home, { WHCLI_SECRET: SECRET }),
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'whcli-sign-'));
    try {
      const file = join(dir, 'body.json');
      await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"a":1}'));
      runs.push(await runCli(['sign', '--provider', 'slack', '--secret', SECRET, '--file', file, '--json'], home));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    }
  });
});

describe.runIf(redisAvailable())('a Redis URL with a password', () => {
  it('is never printed, whether the relay connects or not', async () => {
    const redis = await startRedis();
    try {
      const password = 'redis-pa55word-not-printed';
      const url = redis.url.replace('redis://', `redis://:${password}@`);
      const relay = startCli(['relay', '--port', '0', '--json', '--store', url], await makeHome());
      await relay.waitFor(() => (relay.lines.some((l) => l.type === 'listening') || !relay.alive ? true : undefined), 'the relay to listen or give up');
      await relay.kill('SIGTERM');
      expect(relay.stdout + relay.stderr).not.toContain(password);
      expect(relay.stdout + relay.stderr).toContain(`127.0.0.1:${redis.port}`);
    } finally {
      await redis.stop();
    }
  });
});
