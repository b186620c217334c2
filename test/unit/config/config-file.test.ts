import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeProviders, readConfigFile } from '../../../src/config/config-file.js';
import { loadContext, resolveSecret } from '../../../src/context.js';
import { WhcliError } from '../../../src/errors.js';
import { builtinProviders } from '../../../src/providers/builtin.js';
import { tempDir } from '../../helpers/foundation-cli.js';
import { thrown } from '../../helpers/thrown.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function writeConfig(value: unknown, name = 'whcli.config.json'): string {
  const file = join(dir.path, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

const configError = (fn: () => unknown) => thrown(WhcliError, fn);

const acme = {
  name: 'acme',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'x-acme-signature' },
  events: ['order.created', { name: 'order.shipped', description: 'Shipped' }],
  fixturesDir: 'hooks/acme',
};

describe('readConfigFile', () => {
  it('reads a valid file, resolving fixturesDir against the file', () => {
    const file = writeConfig({ provider: 'acme', secret: 's3cret', forward: '3000', providers: [acme] });
    const config = readConfigFile(file);
    expect(config).toMatchObject({ provider: 'acme', secret: 's3cret', forward: '3000', path: file });
    expect(config.providers[0]!.fixturesDir).toBe(join(dir.path, 'hooks', 'acme'));
    expect(config.providers[0]!.events).toEqual([
      { name: 'order.created', description: '' },
      { name: 'order.shipped', description: 'Shipped' },
    ]);
  });

  it('defaults to no providers', () => {
    expect(readConfigFile(writeConfig({})).providers).toEqual([]);
  });

  it('names the file and the parser reason for bad JSON', () => {
    const file = writeConfig('{ "provider": "stripe", }');
    const error = configError(() => readConfigFile(file));
    expect(error.code).toBe('WHCLI_ERR_BAD_CONFIG');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(new RegExp(`^config ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*JSON`));
  });

  it('says so when the file is missing', () => {
    const error = configError(() => readConfigFile(join(dir.path, 'nope.json')));
    expect(error.message).toBe(`config ${join(dir.path, 'nope.json')}: file not found`);
    expect(error.exitCode).toBe(2);
  });

  it.each([
    [{ providers: [{ ...acme, scheme: { ...acme.scheme, algorithm: 'md5' } }] }, 'providers.0.scheme.algorithm'],
    [{ providers: [{ ...acme, scheme: { type: 'rot13' } }] }, 'providers.0.scheme.type'],
    [{ providers: [{ ...acme, name: 'Acme Corp' }] }, 'providers.0.name'],
    [{ providers: [{ ...acme, timeoutMs: -5 }] }, 'providers.0.timeoutMs'],
    [{ providers: [{ ...acme, retries: [{ delay: '1m', count: 1.5 }] }] }, 'providers.0.retries.0.count'],
    [{ secret: 42 }, 'secret'],
    [{ providers: {} }, 'providers'],
  ])('names the bad field: %j', (value, field) => {
    const file = writeConfig(value);
    const error = configError(() => readConfigFile(file));
    expect(error.code).toBe('WHCLI_ERR_BAD_CONFIG');
    expect(error.exitCode).toBe(2);
    expect(error.message.startsWith(`config ${file}: ${field}: `), error.message).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it.each([
    [{ secrets: 'x' }, '(top level): unknown key "secrets" (did you mean "secret"?)'],
    [{ providers: [{ ...acme, envelop: {} }] }, 'providers.0: unknown key "envelop" (did you mean "envelope"?)'],
    [{ providers: [{ ...acme, scheme: { ...acme.scheme, prefx: 'sha256=' } }] }, 'providers.0.scheme: unknown key "prefx" (did you mean "prefix"?)'],
    // In a union, the option the value picked: a stripe scheme has "header", not "encoding".
    [{ providers: [{ name: 'stripe', scheme: { type: 'stripe', headr: 'X' } }] }, 'providers.0.scheme: unknown key "headr" (did you mean "header"?)'],
    [{ providers: [{ ...acme, retries: [{ delay: '1m', count: 1, jitter: true }] }] }, 'providers.0.retries.0: unknown key "jitter" (valid keys: delay, count)'],
    [{ providers: [{ name: 'stripe', json: { indnet: 2 } }] }, 'providers.0.json: unknown key "indnet" (did you mean "indent"?)'],
  ])('rejects unknown keys anywhere, naming the file, the key and the nearest valid one: %j', (value, message) => {
    const file = writeConfig(value);
    const error = configError(() => readConfigFile(file));
    expect(error.code).toBe('WHCLI_ERR_BAD_CONFIG');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`config ${file}: ${message}`);
  });

  it('accepts $schema, and a provider\'s JSON layout override', () => {
    const file = writeConfig({ $schema: './node_modules/whcli/schema/whcli.config.schema.json', providers: [{ name: 'stripe', json: { indent: 0, trailingNewline: true } }] });
    expect(readConfigFile(file).providers[0]!.json).toEqual({ indent: 0, trailingNewline: true });
  });
});

describe('mergeProviders', () => {
  const laabam = builtinProviders.find((p) => p.name === 'laabam')!;

  it('changes only the fields an override gives for a built-in', () => {
    const scheme = { type: 'hmac' as const, algorithm: 'sha512' as const, encoding: 'base64' as const, header: 'x-laabam-sig' };
    const merged = mergeProviders(builtinProviders, [{ name: 'laabam', scheme } as never]);
    const out = merged.find((p) => p.name === 'laabam')!;
    expect(out.scheme).toEqual(scheme);
    expect(out.events).toEqual(laabam.events);
    expect(out.envelope).toEqual(laabam.envelope);
    expect(out.timeoutMs).toBe(laabam.timeoutMs);
    expect(merged).toHaveLength(builtinProviders.length);
    expect(laabam.scheme).toMatchObject({ header: 'x-laabam-signature' });
  });

  it('adds a new provider with defaults for what it leaves out', () => {
    const merged = mergeProviders(builtinProviders, [{ ...acme, events: [{ name: 'order.created', description: '' }] } as never]);
    const out = merged.at(-1)!;
    expect(out).toMatchObject({ name: 'acme', title: 'acme', timeoutMs: 30_000, retries: [], notes: [] });
    expect(out.envelope).toEqual({ template: { type: '{{event}}', data: '{{data}}' }, typeFrom: { path: 'type' }, idTemplate: 'evt_{{rand}}' });
  });

  it('needs a scheme and an event for a new provider', () => {
    const error = configError(() => mergeProviders(builtinProviders, [{ name: 'acme', events: [] } as never], '/x/whcli.config.json'));
    expect(error.message).toBe('config /x/whcli.config.json: provider "acme" needs a scheme and at least one event');
    expect(error.exitCode).toBe(2);
  });
});

describe('loadContext', () => {
  it('uses the built-ins alone when there is no config file', async () => {
    const { config, catalogue } = await loadContext({ cwd: dir.path, env: {} });
    expect(config).toBeUndefined();
    expect(catalogue.providers.map((p) => p.name)).toEqual(builtinProviders.map((p) => p.name));
  });

  it('finds the config upward from a nested cwd', async () => {
    writeConfig({ providers: [acme] });
    const nested = join(dir.path, 'a', 'b', 'c');
    mkdirSync(nested, { recursive: true });
    const { config, catalogue } = await loadContext({ cwd: nested, env: {} });
    expect(config?.path).toBe(join(dir.path, 'whcli.config.json'));
    expect(catalogue.provider('acme').fixturesDir).toBe(join(dir.path, 'hooks', 'acme'));
  });

  it('prefers an explicit path', async () => {
    writeConfig({ providers: [] });
    const other = writeConfig({ providers: [acme] }, 'other.json');
    const { catalogue } = await loadContext({ cwd: dir.path, env: {} }, other);
    expect(catalogue.provider('acme').name).toBe('acme');
  });
});

describe('resolveSecret', () => {
  const env = (vars: Record<string, string>) => ({ cwd: dir.path, env: vars });
  it('takes --secret, then WHCLI_SECRET, then the config file', () => {
    const config = { secret: 'from-config', providers: [] };
    expect(resolveSecret('flag', env({ WHCLI_SECRET: 'from-env' }), config)).toBe('flag');
    expect(resolveSecret(undefined, env({ WHCLI_SECRET: 'from-env' }), config)).toBe('from-env');
    expect(resolveSecret(undefined, env({}), config)).toBe('from-config');
  });

  it('explains every way to give one when none is set', () => {
    const error = configError(() => resolveSecret(undefined, env({ WHCLI_SECRET: '' })));
    expect(error.code).toBe('WHCLI_ERR_NO_SECRET');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('no signing secret: pass --secret, set WHCLI_SECRET, or add "secret" to whcli.config.json');
  });
});
