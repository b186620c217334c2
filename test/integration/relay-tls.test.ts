/**
 * `whcli relay --tls-cert --tls-key`: HTTPS and WSS served by the relay itself, a certificate renewed
 * with SIGHUP, and a listener that does not trust the certificate. Certificates are generated here
 * with the openssl CLI; real processes on loopback.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, startRelayProcess, stopAllProcesses } from '../helpers/processes.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whcli-tls-'));
});

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
  await rm(dir, { recursive: true, force: true });
});

/** A self-signed certificate for localhost and 127.0.0.1; returns the PEM paths. */
function selfSigned(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

/** The SHA-256 fingerprint of the certificate a TLS server presents now. */
async function servedFingerprint(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
  socket.destroy();
  return fingerprint;
}

function postTrusted(url: string, ca: Buffer, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('serves HTTPS and WSS with its own certificate; a listener trusting it receives events', async () => {
  const first = selfSigned('first');
  const home = await makeHome();
  const relay = await startRelayProcess(home, ['--store', 'memory', '--tls-cert', first.cert, '--tls-key', first.key]);
  expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--forward', handler.url, '--relay', relay.url, '--no-inspect', '--no-history'], true, { NODE_EXTRA_CA_CERTS: first.cert });
  expect(listener.ready.url).toMatch(/^https:\/\//);
  expect(await postTrusted(listener.ready.url, await readFile(first.cert), '{"tls":true}')).toBe(200);
  const [received] = await handler.waitForRequests(1);
  expect(received!.body.toString()).toBe('{"tls":true}');
});

it('serves a renewed certificate after SIGHUP, without a restart', async () => {
  const first = selfSigned('first');
  const second = selfSigned('second');
  const live = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
  await copyFile(first.cert, live.cert);
  await copyFile(first.key, live.key);
  const home = await makeHome();
  const relay = await startRelayProcess(home, ['--store', 'memory', '--tls-cert', live.cert, '--tls-key', live.key]);
  const fingerprint = (file: string) => readFile(file).then((pem) => new X509Certificate(pem).fingerprint256);
  expect(await servedFingerprint(relay.port)).toBe(await fingerprint(first.cert));

  await copyFile(second.cert, live.cert);
  await copyFile(second.key, live.key);
  relay.proc.child.kill('SIGHUP');
  await relay.proc.waitForStderr(/reloaded the certificate/);
  expect(relay.proc.alive).toBe(true);
  expect(await servedFingerprint(relay.port)).toBe(await fingerprint(second.cert));
});

it('a listener that does not trust the certificate stops with one line naming the fix', async () => {
  const first = selfSigned('first');
  const home = await makeHome();
  const relay = await startRelayProcess(home, ['--store', 'memory', '--tls-cert', first.cert, '--tls-key', first.key]);
  const run = await runCli(['listen', '--forward', 'localhost:1', '--relay', relay.url, '--no-inspect', '--no-history'], home, { NODE_EXTRA_CA_CERTS: undefined });
  expect(run.code).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^whcli: relay https:\/\/127\.0\.0\.1:\d+ presented a certificate this machine does not trust \(\w+\): set NODE_EXTRA_CA_CERTS=/);
});

it('refuses a missing key file or half a pair in one line', async () => {
  const first = selfSigned('first');
  const home = await makeHome();
  const half = await runCli(['relay', '--port', '0', '--store', 'memory', '--tls-cert', first.cert], home);
  expect(half.code).toBe(2);
  expect(half.stderr.trim()).toBe('whcli: --tls-cert and --tls-key go together: give both PEM files');
  const missing = await runCli(['relay', '--port', '0', '--store', 'memory', '--tls-cert', first.cert, '--tls-key', join(dir, 'nope.key')], home);
  expect(missing.code).toBe(2);
  expect(missing.stderr.trim()).toMatch(/^whcli: --tls-key .*nope\.key: ENOENT: give a readable PEM file$/);
});
