/**
 * whcli.config.json through the real CLI: a custom provider with its own fixtures and scheme, an
 * override of a built-in's scheme, found upward from a nested cwd or given with --config; and
 * malformed files reported in one line naming the file and the field.
 */
import crypto from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli, tempDir } from '../helpers/foundation-cli.js';
import { closedPort, startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

let project: { path: string; remove: () => void };
let elsewhere: { path: string; remove: () => void };
let server: RecordingServer;
let configFile: string;
let nested: string;

const ACME_SECRET = 'acme_live_secret_42';
const LAABAM_SECRET = 'laabam_rotated_secret';

const config = {
  secret: ACME_SECRET,
  providers: [
    {
      name: 'acme',
      title: 'Acme Payments',
      scheme: { type: 'hmac', algorithm: 'sha512', encoding: 'base64', header: 'x-acme-signature', prefix: 'v1=' },
      envelope: { template: { kind: '{{event}}', id: '{{event_id}}', at: '{{timestamp}}', payload: '{{data}}' }, typeFrom: { path: 'kind' }, idTemplate: 'acme_{{rand}}' },
      headers: { 'X-Acme-Event': '{{event}}' },
      timeoutMs: 4000,
      events: ['order.created', { name: 'order.shipped', description: 'An order left the warehouse' }],
      fixturesDir: 'webhooks/acme',
    },
    {
      name: 'laabam',
      scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'x-laabam-signature-v2', prefix: 'sha256=' },
    },
  ],
};

// Acme's "docs": base64 HMAC-SHA512 of the raw body, prefixed "v1=".
const acmeVerifies = (body: Buffer, header: unknown) => header === `v1=${crypto.createHmac('sha512', ACME_SECRET).update(body).digest('base64')}`;

beforeEach(async () => {
  project = tempDir();
  elsewhere = tempDir();
  server = await startRecordingServer();
  configFile = join(project.path, 'whcli.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  mkdirSync(join(project.path, 'webhooks', 'acme'), { recursive: true });
  writeFileSync(join(project.path, 'webhooks', 'acme', 'order.created.json'), JSON.stringify({ order_id: 'ord_{{rand}}', total: 1999, currency: 'eur', note: 'Grüße' }));
  writeFileSync(join(project.path, 'webhooks', 'acme', 'order.shipped.json'), JSON.stringify({ order_id: 'ord_1', carrier: 'dhl' }));
  nested = join(project.path, 'services', 'api', 'src');
  mkdirSync(nested, { recursive: true });
});
afterEach(async () => {
  await server.close();
  project.remove();
  elsewhere.remove();
});

describe('a config file with a custom provider and an override', () => {
  it('`providers --json` shows both, found upward from a nested cwd', async () => {
    const run = await runCli(['providers', '--json'], { cwd: nested });
    expect(run.code).toBe(0);
    const providers = JSON.parse(run.stdout) as { name: string; title: string; signatureHeaders: string[]; events: string[]; timeoutMs: number }[];
    const acme = providers.find((p) => p.name === 'acme');
    expect(acme).toMatchObject({ title: 'Acme Payments', signatureHeaders: ['x-acme-signature'], events: ['order.created', 'order.shipped'], timeoutMs: 4000 });
    const laabam = providers.find((p) => p.name === 'laabam')!;
    expect(laabam.signatureHeaders).toEqual(['x-laabam-signature-v2']);
    expect(laabam.events).toEqual(['invoice.created', 'invoice.paid', 'customer.created', 'payment.failed']);
    expect(providers.map((p) => p.name)).toContain('stripe');
  });

  it('`events --provider acme --json` lists its events', async () => {
    const run = await runCli(['events', '--provider', 'acme', '--json'], { cwd: nested });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { provider: 'acme', name: 'order.created', description: '' },
      { provider: 'acme', name: 'order.shipped', description: 'An order left the warehouse' },
    ]);
  });

  it('--config works from a directory with no config above it', async () => {
    const withFlag = await runCli(['events', '--provider', 'acme', '--json', '--config', configFile], { cwd: elsewhere.path });
    expect(withFlag.code).toBe(0);
    expect((JSON.parse(withFlag.stdout) as unknown[]).length).toBe(2);

    const without = await runCli(['events', '--provider', 'acme'], { cwd: elsewhere.path });
    expectOneLineError(without, 2, /^whcli: unknown provider "acme"/);
  });

  it('triggers a custom event from its fixture, signed with its scheme and the config secret', async () => {
    const run = await runCli(['trigger', 'order.created', '--provider', 'acme', '--forward', `${server.url}/acme`, '--json'], { cwd: nested });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { provider: string; eventId: string; body: string };
    expect(result.provider).toBe('acme');
    const received = server.requests[0]!;
    expect(received.body.equals(Buffer.from(result.body))).toBe(true);
    expect(acmeVerifies(received.body, received.headers['x-acme-signature'])).toBe(true);
    expect(received.headers['x-acme-event']).toBe('order.created');
    const body = JSON.parse(received.body.toString('utf8'));
    expect(body).toMatchObject({ kind: 'order.created', id: result.eventId, payload: { total: 1999, note: 'Grüße' } });
    expect(result.eventId).toMatch(/^acme_[a-z0-9]{24}$/);
    expect(body.payload.order_id).toMatch(/^ord_[a-z0-9]{24}$/);
  });

  it('signs laabam with the overridden header and prefix, and not the built-in one', async () => {
    const run = await runCli(['trigger', 'invoice.paid', '--provider', 'laabam', '--forward', server.url, '--secret', LAABAM_SECRET], { cwd: nested });
    expect(run.code).toBe(0);
    const received = server.requests[0]!;
    expect(received.headers['x-laabam-signature-v2']).toBe(`sha256=${crypto.createHmac('sha256', LAABAM_SECRET).update(received.body).digest('hex')}`);
    expect(received.headers['x-laabam-signature']).toBeUndefined();
    // The envelope is still the built-in's.
    expect(JSON.parse(received.body.toString('utf8'))).toMatchObject({ type: 'invoice.paid', data: { amount: 50000 } });
  });

  it('uses the config\'s default provider and forward target', async () => {
    writeFileSync(configFile, JSON.stringify({ ...config, provider: 'stripe', forward: `${server.url}/from-config` }));
    const run = await runCli(['trigger', 'invoice.paid', '--json'], { cwd: nested });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ provider: 'stripe', via: 'config', url: `${server.url}/from-config` });
    expect(server.requests[0]!.url).toBe('/from-config');
  });
});

describe('a malformed config file', () => {
  it('bad JSON: one line naming the file, exit 2', async () => {
    writeFileSync(configFile, '{ "providers": [ }');
    const run = await runCli(['providers'], { cwd: nested });
    const line = expectOneLineError(run, 2);
    expect(line.startsWith(`whcli: config ${configFile}: `)).toBe(true);
  });

  it('a bad field: one line naming the file and the field, exit 2', async () => {
    writeFileSync(configFile, JSON.stringify({ providers: [{ ...config.providers[0], scheme: { ...config.providers[0]!.scheme, algorithm: 'md5' } }] }));
    const run = await runCli(['trigger', 'order.created', '--provider', 'acme', '--forward', server.url], { cwd: nested });
    const line = expectOneLineError(run, 2);
    expect(line.startsWith(`whcli: config ${configFile}: providers.0.scheme.algorithm: `)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('an unknown key: one line naming the file, the key and the nearest valid one, exit 2', async () => {
    writeFileSync(configFile, JSON.stringify({ secert: 'typo' }));
    const line = expectOneLineError(await runCli(['events'], { cwd: nested }), 2);
    expect(line).toBe(`whcli: config ${configFile}: (top level): unknown key "secert" (did you mean "secret"?)`);
    writeFileSync(configFile, JSON.stringify({ providers: [{ ...config.providers[0], timeoutMS: 5000 }] }));
    const nestedLine = expectOneLineError(await runCli(['events'], { cwd: nested }), 2);
    expect(nestedLine).toBe(`whcli: config ${configFile}: providers.0: unknown key "timeoutMS" (did you mean "timeoutMs"?)`);
  });

  it('a provider\'s JSON layout from the config overrides the built-in one', async () => {
    writeFileSync(configFile, JSON.stringify({ providers: [{ name: 'stripe', json: { indent: 4, trailingNewline: true } }] }));
    const run = await runCli(['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', 's', '--forward', server.url], { cwd: nested });
    expect(run.code, run.stderr).toBe(0);
    const body = server.requests[0]!.body.toString('utf8');
    expect(body).toBe(`${JSON.stringify(JSON.parse(body), null, 4)}\n`);
  });

  it('a custom provider without a scheme: one line, exit 2', async () => {
    writeFileSync(configFile, JSON.stringify({ providers: [{ name: 'acme', events: ['order.created'] }] }));
    expectOneLineError(await runCli(['providers', '--json'], { cwd: nested }), 2, /provider "acme" needs a scheme and at least one event$/);
  });

  it('a --config that does not exist: one line, exit 2', async () => {
    const missing = join(elsewhere.path, 'nope.json');
    expectOneLineError(await runCli(['providers', '--config', missing], { cwd: elsewhere.path }), 2, new RegExp(`^whcli: config ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: file not found$`));
  });

  it('a custom provider whose fixture is not valid JSON: names the file, exit 1', async () => {
    const fixture = join(project.path, 'webhooks', 'acme', 'order.shipped.json');
    writeFileSync(fixture, '{ "order_id": "ord_1", ');
    const port = await closedPort();
    const run = await runCli(['trigger', 'order.shipped', '--forward', String(port)], { cwd: nested });
    const line = expectOneLineError(run, 1);
    expect(line.startsWith(`whcli: fixture ${fixture} is not valid JSON: `)).toBe(true);
  });

  it('a custom provider whose fixture is missing: names the file, exit 1', async () => {
    writeFileSync(configFile, JSON.stringify({ ...config, providers: [{ ...config.providers[0], events: ['order.created', 'order.lost'] }] }));
    const run = await runCli(['trigger', 'order.lost', '--forward', server.url], { cwd: nested });
    expectOneLineError(run, 1, new RegExp(`^whcli: fixture ${join(project.path, 'webhooks', 'acme', 'order.lost.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: file not found$`));
  });
});
