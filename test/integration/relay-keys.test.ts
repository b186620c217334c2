/**
 * Access keys and named channels on a team relay: real `whcli relay`, `whcli relay keys` and
 * `whcli listen` processes on loopback, keys in the file store and in a real Redis.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeAllHandlers, startHandler, type TestHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startCli, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';
import { postEvent, readMetrics, socketUrl } from '../helpers/relay-client.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis-server.js';

let storeDir: string;
let handler: TestHandler;

beforeEach(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'whcli-keys-'));
  handler = await startHandler();
});

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
  await rm(storeDir, { recursive: true, force: true });
});

async function createKey(home: string, name: string, store = `file:${storeDir}`): Promise<{ key: string; id: string }> {
  const run = await runCli(['relay', 'keys', 'create', '--name', name, '--store', store, '--json'], home);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { key: string; id: string };
}

async function askChannel(relayUrl: string, key?: string, name?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${relayUrl}/api/channels`, {
    method: 'POST',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(name ? { 'content-type': 'application/json' } : {}) },
    body: name ? JSON.stringify({ name }) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The HTTP status a WebSocket upgrade is refused with. */
function upgradeStatus(url: string, bearer: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${bearer}` } });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

describe('access keys', () => {
  it('are printed once, kept only hashed in a 0600 file, listed without the key, and revoked by name', async () => {
    const home = await makeHome();
    const { key, id } = await createKey(home, 'alice');
    expect(key).toMatch(/^whk_[A-Za-z0-9_-]{43}$/);
    const file = await readFile(join(storeDir, 'keys.json'), 'utf8');
    expect(file).not.toContain(key);
    expect((await stat(join(storeDir, 'keys.json'))).mode & 0o777).toBe(0o600);

    const list = await runCli(['relay', 'keys', 'list', '--store', `file:${storeDir}`, '--json'], home);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(key);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id, name: 'alice', prefix: `${key.slice(0, 8)}…` })]);

    const twice = await runCli(['relay', 'keys', 'create', '--name', 'alice', '--store', `file:${storeDir}`], home);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^whcli: a key named "alice" exists/);

    expect((await runCli(['relay', 'keys', 'revoke', 'alice', '--store', `file:${storeDir}`], home)).code).toBe(0);
    const after = await runCli(['relay', 'keys', 'list', '--store', `file:${storeDir}`, '--json'], home);
    expect(JSON.parse(after.stdout)).toEqual([]);
    const unknown = await runCli(['relay', 'keys', 'revoke', 'alice', '--store', `file:${storeDir}`], home);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^whcli: no access key named or with id "alice"/);
  });

  it('once one exists: no key or a wrong key gets 401 and creates nothing; the listener sends its key and works', async () => {
    const home = await makeHome();
    const { key } = await createKey(home, 'alice');
    const relay = await startRelayProcess(home, ['--store', `file:${storeDir}`]);

    const metricsBefore = await (await fetch(`${relay.url}/metrics`)).text();
    expect((await askChannel(relay.url)).status).toBe(401);
    expect((await askChannel(relay.url, `whk_${'A'.repeat(43)}`)).status).toBe(401);
    const channels = (text: string) => /whcli_relay_channels (\d+)/.exec(text)?.[1];
    expect(channels(await (await fetch(`${relay.url}/metrics`)).text())).toBe(channels(metricsBefore));

    // Without a key the listener stops at once with the fix in its one line.
    const refused = await runCli(['listen', '--forward', handler.url, '--relay', relay.url, '--no-inspect', '--no-history'], home);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^whcli: relay .* refused the channel \(HTTP 401\): this relay needs an access key.*WHCLI_RELAY_KEY/);

    const listener = await startListenerProcess(home, ['--forward', `${handler.url}/hooks`, '--relay', relay.url, '--no-inspect', '--no-history'], true, { WHCLI_RELAY_KEY: key });
    expect(listener.proc.stdout + listener.proc.stderr).not.toContain(key);
    expect((await postEvent(listener.ready.url, '{"hello":1}')).status).toBe(200);
    await handler.waitForRequests(1);
  });

  it('a revoked key: its listener is disconnected with the reason and stops; it can no longer create channels', async () => {
    const home = await makeHome();
    const { key } = await createKey(home, 'bob');
    const relay = await startRelayProcess(home, ['--store', `file:${storeDir}`]);
    const listener = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url, '--relay-key', key, '--no-inspect', '--no-history']);

    expect((await runCli(['relay', 'keys', 'revoke', 'bob', '--store', `file:${storeDir}`], home)).code).toBe(0);
    await listener.proc.waitFor(() => (listener.proc.alive ? undefined : true), 'the listener to exit', 30_000);
    expect(listener.proc.exitCode).toBe(1);
    expect(listener.proc.stderr).toMatch(/access key revoked.*\(close 4401\)/);
    expect((await askChannel(relay.url, key)).status).toBe(401);
  }, 60_000);

  it('beyond loopback keys are required even with none in the store; --open says so at start', async () => {
    const home = await makeHome();
    const strict = await startRelayProcess(home, ['--store', 'memory', '--host', '0.0.0.0']);
    expect(strict.proc.lines[0]!.keys).toBe('required');
    expect((await askChannel(`http://127.0.0.1:${strict.port}`)).status).toBe(401);

    const open = startCli(['relay', '--port', '0', '--store', 'memory', '--host', '0.0.0.0', '--open'], home);
    const line = await open.waitFor(() => /listening on (\S+).*keys off \(--open\).*/.exec(open.stdout) ?? undefined, 'the --open start line');
    expect(line[0]).toContain('anyone who reaches this relay can create channels');
    const port = new URL(line[1]!).port;
    expect((await askChannel(`http://127.0.0.1:${port}`)).status).toBe(201);
  });
});

describe('named channels', () => {
  it('the same key gets the same URL from two fresh homes; another key gets its own and is refused on this one', async () => {
    const admin = await makeHome();
    const alice = await createKey(admin, 'alice');
    const bob = await createKey(admin, 'bob');
    const relay = await startRelayProcess(admin, ['--store', `file:${storeDir}`]);
    const args = ['--forward', handler.url, '--relay', relay.url, '--channel', 'stripe', '--no-inspect', '--no-history'];

    const first = await startListenerProcess(await makeHome(), args, true, { WHCLI_RELAY_KEY: alice.key });
    await first.proc.kill('SIGTERM');
    const second = await startListenerProcess(await makeHome(), args, true, { WHCLI_RELAY_KEY: alice.key });
    expect(second.ready.url).toBe(first.ready.url);
    expect(second.ready.channel).toMatch(/^ch_[A-Za-z0-9_-]{22}$/);
    expect((await postEvent(second.ready.url, '{"n":1}')).status).toBe(200);
    await handler.waitForRequests(1);

    const bobs = await startListenerProcess(await makeHome(), args, true, { WHCLI_RELAY_KEY: bob.key });
    expect(bobs.ready.url).not.toBe(first.ready.url);
    expect(await upgradeStatus(socketUrl(relay.url, first.ready.channel), bob.key)).toBe(403);

    // `whcli channels` lists each key's own channels, with their URLs.
    const listed = await runCli(['channels', '--relay', relay.url, '--json'], await makeHome(), { WHCLI_RELAY_KEY: alice.key });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ key: 'alice', channels: [{ name: 'stripe', url: first.ready.url }] });
    expect(listed.stdout).not.toContain(alice.key);
    const bobsList = await runCli(['channels', '--relay', relay.url, '--relay-key', bob.key], await makeHome());
    expect(bobsList.code, bobsList.stderr).toBe(0);
    expect(bobsList.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^stripe\t${bobs.ready.url}\t\\d{4}-`))]);
    const nokey = await runCli(['channels', '--relay', relay.url], await makeHome());
    expect(nokey.code).toBe(2);
    expect(nokey.stderr).toMatch(/^whcli: channels needs an access key/);
  });
});

describe('channels rm', () => {
  it('deletes a channel and its stored events: its URL answers 404, its listener is told and stops, a restart does not bring it back', async () => {
    const admin = await makeHome();
    const alice = await createKey(admin, 'alice');
    const bob = await createKey(admin, 'bob');
    let relay = await startRelayProcess(admin, ['--store', `file:${storeDir}`]);
    const home = await makeHome();
    const env = { WHCLI_RELAY_KEY: alice.key };
    const args = () => ['--forward', handler.url, '--relay', relay.url, '--channel', 'stripe', '--no-inspect', '--no-history'];

    const first = await startListenerProcess(home, args(), true, env);
    const { channel: id, url } = first.ready;
    await first.proc.kill('SIGTERM');
    for (const n of [1, 2]) expect((await postEvent(url, `{"old":${n}}`)).status).toBe(200);
    expect((await readMetrics(relay.url)).whcli_relay_events_pending).toBe(2);

    // Another key can neither see nor delete it.
    const bobs = await runCli(['channels', 'rm', 'stripe', '--relay', relay.url, '--relay-key', bob.key], await makeHome());
    expect(bobs.code).toBe(1);
    expect(bobs.stderr).toMatch(/^whcli: key "bob" owns no channel "stripe" on http:\/\/127\.0\.0\.1:\d+; `whcli channels` lists them\n$/);
    expect((await fetch(`${relay.url}/api/channels/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${bob.key}` } })).status).toBe(404);
    expect((await fetch(`${relay.url}/api/channels/${id}`, { method: 'DELETE' })).status).toBe(401);

    const removed = await runCli(['channels', 'rm', 'stripe', '--relay', relay.url, '--json'], home, env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: { id, name: 'stripe', url } });
    expect(removed.stdout).not.toContain(alice.key);
    expect((await postEvent(url, '{"late":true}')).status).toBe(404);
    const metrics = await readMetrics(relay.url);
    expect(metrics.whcli_relay_events_pending).toBe(0);
    expect(metrics.whcli_relay_channels_deleted_total).toBe(1);
    expect(JSON.parse((await runCli(['channels', '--relay', relay.url, '--json'], home, env)).stdout).channels).toEqual([]);
    // Forgotten on this machine too: no saved credentials point at it any more.
    expect(await readFile(join(home, 'config', 'channels.json'), 'utf8')).not.toContain(id);

    await relay.proc.kill('SIGTERM');
    relay = await startRelayProcess(admin, ['--store', `file:${storeDir}`]);
    expect((await postEvent(`${relay.url}/c/${id}`, '{"after-restart":true}')).status).toBe(404);

    // The name can be taken again: the channel comes back empty, none of the deleted events with it.
    const again = await startListenerProcess(home, args(), true, env);
    expect(again.ready.channel).toBe(id);
    expect((await postEvent(again.ready.url, '{"new":1}')).status).toBe(200);
    await handler.waitForRequests(1);
    expect(handler.requests.map((r) => r.body.toString())).toEqual(['{"new":1}']);

    // Deleted under a running listener: it is told why and stops.
    expect((await runCli(['channels', 'rm', 'stripe', '--relay', relay.url], home, env)).code).toBe(0);
    await again.proc.waitFor(() => (again.proc.alive ? undefined : true), 'the listener to exit', 30_000);
    expect(again.proc.exitCode).toBe(1);
    expect(again.proc.stderr).toMatch(/channel deleted by its owner/);
  }, 90_000);
});

describe.runIf(redisAvailable())('keys in Redis', () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await redis.stop();
  });

  it('a key created once is honoured by a second relay on the same Redis, and a revoke reaches both', async () => {
    const home = await makeHome();
    const one = await startRelayProcess(home, ['--store', redis.url]);
    const two = await startRelayProcess(home, ['--store', redis.url]);
    const { key } = await createKey(home, 'carol', redis.url);
    expect((await askChannel(two.url)).status).toBe(401);
    const named = await askChannel(one.url, key, 'github');
    expect(named.status).toBe(201);
    const again = await askChannel(two.url, key, 'github');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(named.body.id);
    expect(again.body.token).toBe(named.body.token);
    expect((await runCli(['relay', 'keys', 'revoke', 'carol', '--store', redis.url], home)).code).toBe(0);
    expect((await askChannel(one.url, key)).status).toBe(401);
    expect((await askChannel(two.url, key)).status).toBe(401);
  });
});

describe('limits for the open internet', () => {
  it('channel creation: 429 + Retry-After per address and per key, a cap per key, and a request log without secrets', async () => {
    const home = await makeHome();
    const { key } = await createKey(home, 'dave');
    const relay = await startRelayProcess(home, ['--store', `file:${storeDir}`, '--key-rate', '3/m', '--max-channels-per-key', '2', '--channel-rate', '0', '--log-format', 'json']);

    expect((await askChannel(relay.url, key)).status).toBe(201);
    expect((await askChannel(relay.url, key)).status).toBe(201);
    const capped = await askChannel(relay.url, key);
    expect(capped.status).toBe(403);
    expect(capped.body.error).toMatch(/owns its maximum of 2 channels/);
    // The key's bucket holds a minute's worth, at least 10: the eleventh creation is over it.
    for (let i = 3; i < 10; i++) expect((await askChannel(relay.url, key)).status).toBe(403);
    const overRate = await fetch(`${relay.url}/api/channels`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(overRate.status).toBe(429);
    expect(Number(overRate.headers.get('retry-after'))).toBeGreaterThan(0);

    const posted = await postEvent(`${relay.url}/c/ch_doesnotexist`, '{"secret-body":1}');
    expect(posted.status).toBe(404);
    const logged = await relay.proc.waitFor(() => relay.proc.stderr.split('\n').filter((l) => l.includes('"type":"request"')).length >= 12 || undefined, 'the request log lines');
    expect(logged).toBe(true);
    const entries = relay.proc.stderr.split('\n').filter((l) => l.includes('"type":"request"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => e.status)).toEqual([201, 201, ...Array(8).fill(403), 429, 404]);
    expect(entries[11]).toMatchObject({ method: 'POST', path: '/c/<channel>', channel: 'ch_does…', bytes: 17 });
    expect(typeof entries[11]!.ms).toBe('number');
    expect(relay.proc.stderr).not.toContain(key);
    expect(relay.proc.stderr).not.toContain('secret-body');
    expect(relay.proc.stderr).not.toContain('ch_doesnotexist');

    const limited = await startRelayProcess(home, ['--store', 'memory', '--channel-rate', '1/m']);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await askChannel(limited.url)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses[10]).toBe(429);
  });
});
