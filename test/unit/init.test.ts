/**
 * `init()` in-process with a scripted prompter: flags, defaults, what a run without a terminal
 * refuses, keeping an existing file's other fields, and that a cancelled run leaves no file at all.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_REF, generateSecret, init, type InitOptions, type InitPrompter } from '../../src/commands/init.js';
import { readConfigFile } from '../../src/config/config-file.js';
import { UsageError, WhcliError } from '../../src/errors.js';
import { builtinProviders } from '../../src/providers/builtin.js';
import { tempDir } from '../helpers/foundation-cli.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('whcli-init-');
});
afterEach(() => dir.remove());

const configPath = () => join(dir.path, 'whcli.config.json');
const readJson = () => JSON.parse(readFileSync(configPath(), 'utf8')) as Record<string, unknown>;
const run = (options: InitOptions, prompter?: InitPrompter) => init(options, { environment: { cwd: dir.path, env: {} }, prompter });
const provider = (name: string) => builtinProviders.find((p) => p.name === name)!;

async function rejection(promise: Promise<unknown>): Promise<WhcliError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WhcliError);
    return error as WhcliError;
  }
  throw new Error('expected init to fail');
}

/** A prompter that answers from a script and records what it was asked. */
function scripted(answers: Partial<{ [K in keyof InitPrompter]: Awaited<ReturnType<InitPrompter[K]>> | Error }>) {
  const asked: string[] = [];
  const answer = async <T>(name: keyof InitPrompter): Promise<T> => {
    asked.push(name);
    const value = answers[name];
    if (value instanceof Error) throw value;
    if (value === undefined) throw new Error(`unexpected question: ${name}`);
    return value as T;
  };
  const prompter: InitPrompter = {
    overwrite: () => answer('overwrite'),
    provider: () => answer('provider'),
    forward: () => answer('forward'),
    events: () => answer('events'),
    secret: () => answer('secret'),
  };
  return { prompter, asked };
}

describe('init with flags (no terminal)', () => {
  it('writes the answers, which the config reader accepts, and leaves no temp file', async () => {
    const result = await run({ provider: 'github', forward: '3000/hooks', events: 'push, ping', secret: 's3cret' });
    expect(result).toEqual({
      written: true,
      path: configPath(),
      replaced: false,
      provider: 'github',
      forward: '3000/hooks',
      events: ['push', 'ping'],
      eventCount: 2,
      secretFrom: 'flag',
      exampleEvent: 'push',
    });
    expect(readJson()).toEqual({ $schema: CONFIG_SCHEMA_REF, provider: 'github', forward: '3000/hooks', events: ['push', 'ping'], secret: 's3cret' });
    expect(readConfigFile(configPath())).toMatchObject({ provider: 'github', secret: 's3cret' });
    expect(readdirSync(dir.path)).toEqual(['whcli.config.json']);
    // First, so editors offer completion from the top of the file; the package ships the schema.
    expect(Object.keys(readJson())[0]).toBe('$schema');
    expect(existsSync(join(import.meta.dirname, '../..', CONFIG_SCHEMA_REF.replace('./node_modules/whcli/', '')))).toBe(true);
  });

  it('fails naming every flag it still needs, and writes nothing', async () => {
    const error = await rejection(run({}));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('--provider <name>');
    expect(error.message).toContain('--forward <url>');
    expect(error.message).toContain('--secret <secret> or --generate-secret');
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('names only the missing flags', async () => {
    const error = await rejection(run({ provider: 'stripe', generateSecret: true }));
    expect(error.message).toContain('--forward <url>');
    expect(error.message).not.toContain('--provider');
    expect(error.message).not.toContain('--secret');
  });

  it('--yes takes the defaults: localhost:3000/webhooks, every event, a generated secret', async () => {
    const result = await run({ provider: 'paystack', yes: true });
    expect(result).toMatchObject({ written: true, forward: 'localhost:3000/webhooks', events: 'all', secretFrom: 'generated' });
    const written = readJson();
    expect(written).not.toHaveProperty('events');
    expect(written.secret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--yes still needs --provider, and asks nothing even with a prompter', async () => {
    const { prompter, asked } = scripted({});
    const error = await rejection(run({ yes: true }, prompter));
    expect(error.message).toMatch(/with --yes, init still needs --provider <name>\./);
    expect(asked).toEqual([]);
  });

  it('refuses --secret with --generate-secret, an unknown provider, event or a bad URL', async () => {
    expect((await rejection(run({ provider: 'github', forward: '3000', secret: 'x', generateSecret: true }))).message).toMatch(/either --secret or --generate-secret/);
    const unknownProvider = await rejection(run({ provider: 'github.com', forward: '3000', secret: 'x' }));
    expect(unknownProvider).toMatchObject({ code: 'WHCLI_ERR_UNKNOWN_PROVIDER', exitCode: 2 });
    expect(unknownProvider.message).toContain('Did you mean "github"?');
    const unknownEvent = await rejection(run({ provider: 'github', forward: '3000', secret: 'x', events: 'push,pul_request.opened' }));
    expect(unknownEvent).toMatchObject({ code: 'WHCLI_ERR_UNKNOWN_EVENT', exitCode: 2 });
    expect(unknownEvent.message).toContain('"pull_request.opened"');
    expect(await rejection(run({ provider: 'github', forward: 'ftp://host', secret: 'x' }))).toMatchObject({ code: 'WHCLI_ERR_BAD_URL', exitCode: 2 });
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('leaves an existing file alone without --force', async () => {
    writeFileSync(configPath(), '{"provider":"stripe"}\n');
    const error = await rejection(run({ provider: 'github', forward: '3000', secret: 'x' }));
    expect(error.message).toMatch(/already exists: pass --force/);
    expect(readFileSync(configPath(), 'utf8')).toBe('{"provider":"stripe"}\n');
  });

  it('--force replaces the answers and keeps the rest, custom providers included', async () => {
    const acme = {
      name: 'acme',
      scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'x-acme-signature' },
      events: ['order.created', 'order.shipped'],
    };
    writeFileSync(configPath(), JSON.stringify({ provider: 'stripe', events: ['invoice.paid'], relay: 'https://relay.example.com', providers: [acme] }));
    const result = await run({ provider: 'acme', forward: '8080', secret: 'k', force: true });
    expect(result).toMatchObject({ written: true, replaced: true, provider: 'acme', events: 'all', eventCount: 2, exampleEvent: 'order.created' });
    expect(readJson()).toEqual({ $schema: CONFIG_SCHEMA_REF, provider: 'acme', relay: 'https://relay.example.com', providers: [acme], forward: '8080', secret: 'k' });
  });
});

describe('init with a prompter', () => {
  it('asks for what no flag gives, in order, and writes the answers', async () => {
    const { prompter, asked } = scripted({
      provider: 'slack',
      forward: 'localhost:4000/slack',
      events: ['app_mention'],
      secret: { generate: false, secret: 'pasted-secret' },
    });
    const result = await run({}, prompter);
    expect(asked).toEqual(['provider', 'forward', 'events', 'secret']);
    expect(result).toMatchObject({ provider: 'slack', forward: 'localhost:4000/slack', events: ['app_mention'], secretFrom: 'pasted' });
    expect(readJson()).toEqual({ $schema: CONFIG_SCHEMA_REF, provider: 'slack', forward: 'localhost:4000/slack', events: ['app_mention'], secret: 'pasted-secret' });
  });

  it('asks nothing a flag answered', async () => {
    const { prompter, asked } = scripted({ events: 'all' });
    await run({ provider: 'github', forward: '3000', generateSecret: true }, prompter);
    expect(asked).toEqual(['events']);
  });

  it('gives the forward question a check that rejects what --forward would', async () => {
    let check: ((text: string) => string | undefined) | undefined;
    const { prompter } = scripted({ provider: 'github', events: 'all', secret: { generate: true } });
    prompter.forward = async (suggested, givenCheck) => {
      check = givenCheck;
      return suggested;
    };
    await run({}, prompter);
    expect(check!('localhost:3000/hooks')).toBeUndefined();
    expect(check!('ftp://nope')).toMatch(/only http and https/);
    expect(readJson().forward).toBe('localhost:3000/webhooks');
  });

  it('cancelled at the last question: no file, no temp file', async () => {
    const { prompter } = scripted({
      provider: 'github',
      forward: '3000',
      events: 'all',
      secret: new WhcliError('WHCLI_ERR_INTERRUPTED', 'init cancelled: nothing written', 130),
    });
    expect(await rejection(run({}, prompter))).toMatchObject({ exitCode: 130 });
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('asks before replacing an existing file, and a "no" changes nothing', async () => {
    writeFileSync(configPath(), '{"provider":"stripe"}\n');
    const { prompter, asked } = scripted({ overwrite: false });
    expect(await run({}, prompter)).toEqual({ written: false, path: configPath() });
    expect(asked).toEqual(['overwrite']);
    expect(readFileSync(configPath(), 'utf8')).toBe('{"provider":"stripe"}\n');
  });
});

describe('generateSecret', () => {
  it('gives Standard Webhooks a whsec_ base64 key its own library signs and verifies with', () => {
    const secret = generateSecret(provider('standard-webhooks'));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const webhook = new Webhook(secret);
    const id = 'msg_1';
    const timestamp = new Date();
    const body = '{"type":"ping"}';
    const signature = webhook.sign(id, timestamp, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature };
    expect(webhook.verify(body, headers)).toEqual({ type: 'ping' });
  });

  it('gives Stripe a whsec_ secret and the rest 32 random bytes in hex', () => {
    expect(generateSecret(provider('stripe'))).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(generateSecret(provider('github'))).toMatch(/^[0-9a-f]{64}$/);
    expect(generateSecret(provider('github'))).not.toBe(generateSecret(provider('github')));
  });
});

describe('the written file', () => {
  it('is exactly what every other command reads', async () => {
    await run({ provider: 'standard-webhooks', forward: 'https://example.test/hooks', events: 'all', generateSecret: true });
    const config = readConfigFile(configPath());
    expect(config.provider).toBe('standard-webhooks');
    expect(config.events).toBeUndefined();
    expect(existsSync(`${configPath()}.tmp`)).toBe(false);
  });
});
