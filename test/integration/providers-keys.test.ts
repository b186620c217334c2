/**
 * `whcli keys` and asymmetric signing through the real CLI: the key pair is made once and kept
 * 0600 in a 0700 directory, the public key printed is the one the handler's official verifier
 * needs, and the private key is never printed. Plus a config file using every signing family.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHmac } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyKey } from 'discord-interactions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, expectOneLineError, runCli, tempDir, type CliRun } from '../helpers/foundation-cli.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

let home: { path: string; remove: () => void };
let server: RecordingServer;
beforeEach(async () => {
  home = tempDir('whcli-keys-');
  server = await startRecordingServer();
});
afterEach(async () => {
  await server.close();
  home.remove();
});

/** The CLI with a WHCLI_HOME kept across runs (runCli gives each run a fresh one). */
async function whcli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: home.path,
    env: { PATH: process.env.PATH ?? '', WHCLI_HOME: home.path, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('whcli keys show', () => {
  it('makes the discord key pair once, keeps it private, and signs with it', async () => {
    const first = await whcli(['keys', 'show', 'discord']);
    expect(first.code, first.stderr).toBe(0);
    const publicKey = first.stdout.trim();
    expect(publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.stderr).toMatch(/created a new ed25519 key pair/);
    const file = join(home.path, 'config', 'keys', 'discord.pem');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.path, 'config', 'keys')).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    expect(first.stdout + first.stderr).not.toMatch(/PRIVATE KEY/);

    const again = await whcli(['keys', 'show', 'discord', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ provider: 'discord', algorithm: 'ed25519', publicKey, format: 'raw-hex', privateKeySource: file, created: false });

    const sent = await whcli(['trigger', 'APPLICATION_COMMAND', '-p', 'discord', '--forward', `${server.url}/interactions`]);
    expect(sent.code, sent.stderr).toBe(0);
    const received = await server.request(0);
    const one = (name: string) => String(received.headers[name]);
    expect(await verifyKey(received.body, one('x-signature-ed25519'), one('x-signature-timestamp'), publicKey)).toBe(true);
  });

  it('prints sendgrid\'s key as base64 SPKI, or PEM when asked', async () => {
    const run = await whcli(['keys', 'show', 'sendgrid']);
    expect(Buffer.from(run.stdout.trim(), 'base64').subarray(0, 2).toString('hex')).toBe('3059');
    const pem = await whcli(['keys', 'show', 'sendgrid', '--pem']);
    expect(pem.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('refuses a provider that signs with a shared secret, and a --secret that is not a key', async () => {
    expectOneLineError(await runCli(['keys', 'show', 'stripe']), 2, /^whcli: stripe signs with a shared secret, not a key pair: keys are for discord, sendgrid$/);
    expectOneLineError(await runCli(['trigger', 'PING', '-p', 'discord', '--secret', 'hunter2', '--forward', server.url]), 2, /--secret must be a PEM private key/);
  });
});

describe('a config provider of each family', () => {
  it('validates, lists its family, and signs as described', async () => {
    const providers = [
      { name: 'acme-ts', scheme: { type: 'templated-hmac', algorithm: 'sha256', encoding: 'hex', payload: '{timestamp}.{body}', header: 'Acme-Signature', value: 't={timestamp},v1={signature}' }, events: ['order.paid'] },
      { name: 'acme-url', scheme: { type: 'templated-hmac', algorithm: 'sha1', encoding: 'base64', payload: '{url}{params}', header: 'X-Acme-Signature' }, envelope: { template: '{{data}}', format: 'form', typeFrom: { path: 'Status' }, idTemplate: 'SM{{rand}}' }, events: ['received'] },
      { name: 'acme-key', scheme: { type: 'asymmetric', algorithm: 'ecdsa-p256', header: 'X-Acme-Sig', timestampHeader: 'X-Acme-Ts', payload: '{timestamp}{body}', encoding: 'base64', publicKeyFormat: 'pem' }, events: ['ping'] },
      { name: 'acme-body', scheme: { type: 'body-signature', algorithm: 'sha256', encoding: 'hex', fields: { timestamp: 'sig.ts', token: 'sig.token', signature: 'sig.value' }, payload: '{timestamp}{token}' }, events: ['delivered'] },
      { name: 'acme-token', scheme: { type: 'token', header: 'X-Acme-Token' }, events: ['push'] },
      { name: 'acme-basic', scheme: { type: 'basic-auth', username: 'hooks' }, events: ['Delivery'] },
      { name: 'acme-hmac', scheme: { type: 'hmac', algorithm: 'sha512', encoding: 'hex', header: 'x-acme-signature' }, events: ['charge.success'] },
    ];
    writeFileSync(join(home.path, 'whcli.config.json'), JSON.stringify({ providers }));
    const listed = await whcli(['providers', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const families = Object.fromEntries((JSON.parse(listed.stdout) as { name: string; family: string }[]).map((p) => [p.name, p.family]));
    expect(families).toMatchObject({ 'acme-ts': 'timestamped-hmac', 'acme-url': 'url-signed', 'acme-key': 'asymmetric', 'acme-body': 'body-embedded', 'acme-token': 'static-token', 'acme-basic': 'static-token', 'acme-hmac': 'body-hmac' });

    const sent = await whcli(['trigger', 'order.paid', '-p', 'acme-ts', '--secret', 'shh', '--forward', server.url, '--data', '{"id":1}']);
    expect(sent.code, sent.stderr).toBe(0);
    const received = await server.request(0);
    const [t, v1] = String(received.headers['acme-signature']).split(',').map((part) => part.split('=')[1]!);
    expect(v1).toBe(createHmac('sha256', 'shh').update(`${t}.${received.body.toString()}`).digest('hex'));

    const form = await whcli(['trigger', 'received', '-p', 'acme-url', '--secret', 'shh', '--forward', `${server.url}/sms`, '--data', '{"Status":"received","Body":"hi there"}', '--set', 'Body=changed']);
    expect(form.code, form.stderr).toBe(0);
    const sms = await server.request(1);
    expect(sms.body.toString()).toBe('Status=received&Body=changed');
    expect(sms.headers['x-acme-signature']).toBe(createHmac('sha1', 'shh').update(`${server.url}/smsBodychangedStatusreceived`).digest('base64'));
  });

  it('names the field of a bad scheme', async () => {
    writeFileSync(join(home.path, 'whcli.config.json'), JSON.stringify({ providers: [{ name: 'bad', scheme: { type: 'asymmetric', algorithm: 'rsa' }, events: ['x'] }] }));
    const run = await whcli(['providers']);
    expectOneLineError(run, 2, /providers\.0\.scheme\.algorithm/);
  });
});
