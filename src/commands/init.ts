import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from '../config/find-config.js';
import type { Environment } from '../context.js';
import { parseTarget } from '../delivery/target.js';
import { UsageError, WhcliError } from '../errors.js';
import { builtinProviders } from '../providers/builtin.js';
import { Catalogue, nearestNames } from '../providers/catalogue.js';
import type { ProviderSpec } from '../providers/types.js';

export interface InitOptions {
  provider?: string;
  forward?: string;
  /** Comma-separated event types, or "all". */
  events?: string;
  secret?: string;
  generateSecret?: boolean;
  /** Overwrite an existing whcli.config.json. */
  force?: boolean;
  /** Ask nothing: defaults for what no flag gives. */
  yes?: boolean;
}

export type SecretAnswer = { generate: true } | { generate: false; secret: string };

/** The questions init may ask. The UI layer implements them with prompts; tests pass their own. */
export interface InitPrompter {
  /** Whether to replace the existing file. */
  overwrite(path: string): Promise<boolean>;
  provider(providers: readonly ProviderSpec[], current: string | undefined): Promise<string>;
  /** `check` returns an error message for an unusable answer. */
  forward(suggested: string, check: (text: string) => string | undefined): Promise<string>;
  events(provider: ProviderSpec, current: readonly string[] | undefined): Promise<string[] | 'all'>;
  secret(provider: ProviderSpec): Promise<SecretAnswer>;
}

export interface InitDeps {
  environment: Environment;
  /** Absent when there is no terminal to ask on (or with --yes): nothing is asked then. */
  prompter?: InitPrompter;
  randomBytes?: (size: number) => Buffer;
}

export type InitResult =
  | {
      written: true;
      path: string;
      /** An existing file was replaced (its other fields, such as providers, kept). */
      replaced: boolean;
      provider: string;
      forward: string;
      events: string[] | 'all';
      eventCount: number;
      secretFrom: 'flag' | 'generated' | 'pasted';
      /** An event to suggest for a first `whcli trigger`. */
      exampleEvent: string;
    }
  | { written: false; path: string };

export const DEFAULT_FORWARD = 'localhost:3000/webhooks';

/** The config's JSON Schema as editors find it when whcli is installed in the project (it ships in the package). */
export const CONFIG_SCHEMA_REF = './node_modules/whcli/schema/whcli.config.schema.json';

/** A random secret in the shape the provider issues: Standard Webhooks decodes the base64 after whsec_. */
export function generateSecret(provider: ProviderSpec, randomBytes: (size: number) => Buffer = nodeRandomBytes): string {
  const bytes = randomBytes(32);
  if (provider.scheme.type === 'standard-webhooks') return `whsec_${bytes.toString('base64')}`;
  if (provider.scheme.type === 'stripe') return `whsec_${bytes.toString('hex')}`;
  return bytes.toString('hex');
}

/** The existing file as raw JSON (kept fields are written back as they were) and its providers, if it is valid. */
async function readExisting(path: string): Promise<{ raw: Record<string, unknown>; providers: ProviderSpec[] } | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const { readConfigFile, mergeProviders } = await import('../config/config-file.js');
  try {
    return { raw: raw as Record<string, unknown>, providers: mergeProviders(builtinProviders, readConfigFile(path).providers, path) };
  } catch {
    return undefined;
  }
}

function parseEvents(text: string, provider: ProviderSpec): string[] | 'all' {
  const names = text.split(',').map((e) => e.trim()).filter(Boolean);
  if (names.length === 0 || names.includes('all')) return 'all';
  const known = provider.events.map((e) => e.name);
  for (const name of names) {
    if (!known.includes(name)) {
      const near = nearestNames(name, known);
      throw new UsageError(
        `unknown event "${name}" for provider ${provider.name}.${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} Run "whcli events --provider ${provider.name}" to list them.`,
        'WHCLI_ERR_UNKNOWN_EVENT',
      );
    }
  }
  return [...new Set(names)];
}

const checkForward = (text: string): string | undefined => {
  try {
    parseTarget(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/**
 * Writes whcli.config.json in the working directory from flags and, where a terminal allows, answers
 * to questions. The file appears only at the end, whole (temp file, then rename), so an interrupted
 * init leaves nothing behind.
 */
export async function init(options: InitOptions, deps: InitDeps): Promise<InitResult> {
  const path = join(deps.environment.cwd, CONFIG_FILE_NAME);
  const prompter = options.yes ? undefined : deps.prompter;
  if (options.secret !== undefined && options.generateSecret) throw new UsageError('pass either --secret or --generate-secret, not both');
  if (options.secret === '') throw new UsageError('--secret is empty');

  if (!prompter) {
    // Nothing will be asked: say at once everything that is missing.
    const missing: string[] = [];
    if (!options.provider) missing.push('--provider <name>');
    if (!options.yes && !options.forward) missing.push('--forward <url>');
    if (!options.yes && options.secret === undefined && !options.generateSecret) missing.push('--secret <secret> or --generate-secret');
    if (missing.length) {
      const why = options.yes ? 'with --yes, init still needs' : 'no terminal to ask on: pass';
      const hint = options.yes ? '' : ' (or --yes for defaults)';
      throw new UsageError(`${why} ${missing.join(', ')}${hint}. See whcli init --help.`);
    }
  }

  const exists = existsSync(path);
  if (exists && !options.force) {
    if (!prompter) throw new UsageError(`${path} already exists: pass --force to overwrite it`);
    if (!(await prompter.overwrite(path))) return { written: false, path };
  }
  const existing = exists ? await readExisting(path) : undefined;
  const catalogue = new Catalogue(existing?.providers ?? builtinProviders);
  const current = existing?.raw;

  // Without a prompter, the check above made sure --provider was given.
  const providerName =
    options.provider ?? (await prompter!.provider(catalogue.providers, typeof current?.provider === 'string' ? current.provider : undefined));
  const provider = catalogue.provider(providerName);

  let forward: string;
  if (options.forward !== undefined) {
    parseTarget(options.forward);
    forward = options.forward;
  } else if (prompter) {
    forward = await prompter.forward(typeof current?.forward === 'string' ? current.forward : DEFAULT_FORWARD, checkForward);
  } else {
    forward = DEFAULT_FORWARD;
  }

  let events: string[] | 'all';
  if (options.events !== undefined) events = parseEvents(options.events, provider);
  else if (prompter) {
    const previous = Array.isArray(current?.events) && current.provider === provider.name ? (current.events as string[]) : undefined;
    events = await prompter.events(provider, previous);
  } else events = 'all';

  let secret: string;
  let secretFrom: 'flag' | 'generated' | 'pasted';
  if (options.secret !== undefined) [secret, secretFrom] = [options.secret, 'flag'];
  else if (options.generateSecret || !prompter) [secret, secretFrom] = [generateSecret(provider, deps.randomBytes), 'generated'];
  else {
    const answer = await prompter.secret(provider);
    [secret, secretFrom] = answer.generate ? [generateSecret(provider, deps.randomBytes), 'generated'] : [answer.secret, 'pasted'];
  }

  const config: Record<string, unknown> = { $schema: CONFIG_SCHEMA_REF, ...current, provider: provider.name, forward, events, secret };
  if (events === 'all') delete config.events;
  await writeValidated(path, config, deps.randomBytes ?? nodeRandomBytes);

  const chosen = events === 'all' ? provider.events.map((e) => e.name) : events;
  return {
    written: true,
    path,
    replaced: exists,
    provider: provider.name,
    forward,
    events,
    eventCount: chosen.length,
    secretFrom,
    exampleEvent: chosen[0] ?? provider.events[0]?.name ?? 'EVENT',
  };
}

/** Writes beside the target, checks the file with the same reader every command uses, then renames it into place. */
async function writeValidated(path: string, config: Record<string, unknown>, randomBytes: (size: number) => Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // A file holding the signing secret is readable by its owner only.
    writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx', mode: config.secret === undefined ? 0o644 : 0o600 });
    const { readConfigFile } = await import('../config/config-file.js');
    try {
      readConfigFile(temp);
    } catch (error) {
      throw new WhcliError('WHCLI_ERR_INTERNAL', `init produced an invalid config, nothing written: ${(error as Error).message}`);
    }
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}
