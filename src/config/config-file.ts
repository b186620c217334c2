import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { WhcliError } from '../errors.js';
import { nearestNames } from '../providers/catalogue.js';
import type { ProviderSpec } from '../providers/types.js';

import { CONFIG_FILE_NAME } from './find-config.js';
import { scenarioSchema } from '../fixtures/scenario.js';

// Every object is strict: an unknown key is a typo until proven otherwise, and the error names the
// nearest valid key (see unknownKeyMessage).
const scheme = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hmac'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']),
    encoding: z.enum(['hex', 'base64']),
    header: z.string().min(1),
    prefix: z.string().optional(),
    also: z
      .array(z.object({ algorithm: z.enum(['sha1', 'sha256', 'sha512']), encoding: z.enum(['hex', 'base64']), header: z.string().min(1), prefix: z.string().optional() }))
      .optional(),
  }),
  z.strictObject({
    type: z.literal('standard-webhooks'),
    idHeader: z.string().optional(),
    timestampHeader: z.string().optional(),
    signatureHeader: z.string().optional(),
    toleranceSec: z.number().positive().optional(),
  }),
  z.strictObject({ type: z.literal('stripe'), header: z.string().optional(), toleranceSec: z.number().positive().optional() }),
  z.strictObject({
    type: z.literal('slack'),
    header: z.string().optional(),
    timestampHeader: z.string().optional(),
    toleranceSec: z.number().positive().optional(),
  }),
  z.object({
    type: z.literal('templated-hmac'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']),
    encoding: z.enum(['hex', 'base64', 'base64url']),
    payload: z.string().min(1),
    header: z.string().min(1),
    value: z.string().includes('{signature}').optional(),
    timestampHeader: z.string().optional(),
    idHeader: z.string().optional(),
    timestampFormat: z.enum(['unix', 'unix-ms', 'iso']).optional(),
    secretEncoding: z.enum(['utf8', 'base64', 'hex']).optional(),
    toleranceSec: z.number().positive().optional(),
  }),
  z.object({
    type: z.literal('asymmetric'),
    algorithm: z.enum(['ed25519', 'ecdsa-p256']),
    header: z.string().min(1),
    timestampHeader: z.string().min(1),
    payload: z.string().min(1),
    encoding: z.enum(['hex', 'base64']),
    publicKeyFormat: z.enum(['raw-hex', 'spki-base64', 'pem']),
    toleranceSec: z.number().positive().optional(),
  }),
  z.object({
    type: z.literal('body-signature'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']),
    encoding: z.enum(['hex', 'base64']),
    fields: z.object({ timestamp: z.string().min(1), token: z.string().min(1), signature: z.string().min(1) }),
    payload: z.string().min(1),
    toleranceSec: z.number().positive().optional(),
  }),
  z.object({ type: z.literal('adyen') }),
  z.object({ type: z.literal('token'), header: z.string().min(1), prefix: z.string().optional() }),
  z.object({ type: z.literal('basic-auth'), username: z.string().optional() }),
]);

const event = z.union([
  z.string().min(1).transform((name) => ({ name, description: '' })),
  z.strictObject({ name: z.string().min(1), description: z.string().default('') }),
]);

const retryStep = z.strictObject({ delay: z.string(), count: z.number().int().nonnegative() });

/** How the provider lays out its JSON bodies (see JsonLayout); overrides a built-in's. */
const jsonLayout = z.strictObject({
  indent: z.number().int().min(0).max(10),
  trailingNewline: z.boolean().optional(),
  asciiOnly: z.boolean().optional(),
  escapeSlashes: z.boolean().optional(),
});

const provider = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  title: z.string().optional(),
  docs: z.string().optional(),
  scheme: scheme.optional(),
  envelope: z
    .strictObject({
      template: z.unknown(),
      format: z.enum(['json', 'form']).optional(),
      typeFrom: z.strictObject({ path: z.string().optional(), header: z.string().optional(), actionPath: z.string().optional(), fallbackPath: z.string().optional(), names: z.record(z.string(), z.string()).optional() }),
      idFrom: z.strictObject({ path: z.string().optional(), header: z.string().optional() }).optional(),
      idTemplate: z.string().default('evt_{{rand}}'),
      dataPath: z.string().optional(),
    })
    .optional(),
  json: jsonLayout.optional().describe('How the provider lays out its JSON bodies, byte for byte; e.g. { "indent": 2 }.'),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  retries: z.array(retryStep).optional(),
  retryModes: z.record(z.string(), z.array(retryStep)).optional(),
  retrySignals: z
    .object({
      headers: z.record(z.string(), z.string()).optional(),
      stopOn: z.array(z.union([z.object({ status: z.number().int() }), z.object({ header: z.string().min(1), value: z.string() })])).optional(),
    })
    .optional(),
  events: z.array(event).optional(),
  notes: z.array(z.string()).optional(),
  ordering: z.object({ guaranteed: z.boolean(), source: z.string() }).optional(),
  verifiesReserialized: z.strictObject({ source: z.string() }).optional(),
  /** Relative to the config file. */
  fixturesDir: z.string().optional(),
});

const route = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, - and _'),
    match: z
      .strictObject({ path: z.string().startsWith('/', 'a path prefix starts with "/"').optional(), events: z.array(z.string().min(1)).min(1).optional() })
      .refine((m) => m.path !== undefined || m.events !== undefined, 'give match.path, match.events or both'),
    forward: z.string().min(1),
    provider: z.string().optional(),
    secret: z.string().optional(),
    resign: z.boolean().optional(),
    verifyIncoming: z.string().optional(),
  });

/** The whole file; schema/whcli.config.schema.json is generated from it (scripts/generate-config-schema.mjs). */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Where editors find this schema (whcli init writes it).'),
    provider: z.string().optional().describe('The provider commands use when --provider is left out, e.g. "stripe".'),
    secret: z.string().optional().describe('The signing secret, when neither --secret nor WHCLI_SECRET is set.'),
    forward: z.string().optional().describe('Where trigger and verify send by default: 3000, localhost:3000/webhooks or a URL.'),
    signatureUrl: z.string().url().optional().describe('The URL URL-signing schemes sign (Twilio, Square, HubSpot) when it is not the URL sent to.'),
    relay: z.string().optional().describe('The relay URL listen connects to.'),
    relayKey: z.string().optional().describe('The access key of a team relay (whk_…), sent only as an Authorization header.'),
    events: z.array(z.string()).optional().describe('The event types this project handles.'),
    providers: z.array(provider).default([]).describe('Your own providers, and overrides of built-in ones by name.'),
    routes: z.array(route).optional().describe('One listener for the whole app: each route matches by path prefix and/or event type and names its handler, provider and secret.'),
    scenarios: z.array(scenarioSchema).optional().describe('Your own scenarios: ordered events whose ids cross-reference (see fixtures/<provider>/scenarios).'),
  });

/** "unknown key "secert" (did you mean "secret"?)", for each unknown key. */
function unknownKeyMessage(unknown: readonly string[], valid: readonly string[]): string {
  return unknown
    .map((key) => {
      const near = nearestNames(key, valid, 1);
      return `unknown key "${key}"${near.length ? ` (did you mean "${near[0]}"?)` : ` (valid keys: ${valid.join(', ')})`}`;
    })
    .join('; ');
}

/** The keys the schema allows for the object at `path` in `raw`, found by walking zod's definitions. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[], raw: unknown): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
      return keysAt(def.innerType as z.ZodType, path, raw);
    case 'pipe':
      return keysAt(def.in as z.ZodType, path, raw);
    case 'union': {
      // Of a union's object options, the one whose literal fields match the value (scheme.type), else all.
      const options = def.options as z.ZodType[];
      const matching = options.filter((option) => literalsMatch(option, raw));
      return [...new Set((matching.length ? matching : options).flatMap((option) => keysAt(option, path, raw)))];
    }
    case 'array':
      return path.length ? keysAt(def.element as z.ZodType, path.slice(1), (raw as unknown[] | undefined)?.[path[0] as number]) : [];
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      if (!path.length) return Object.keys(shape);
      const next = shape[String(path[0])];
      return next ? keysAt(next, path.slice(1), (raw as Record<string, unknown> | undefined)?.[String(path[0])]) : [];
    }
    default:
      return [];
  }
}

function literalsMatch(option: z.ZodType, raw: unknown): boolean {
  const def = (option as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type !== 'object' || !raw || typeof raw !== 'object') return false;
  return Object.entries(def.shape as Record<string, z.ZodType>).every(([key, field]) => {
    const fieldDef = (field as unknown as { _zod: { def: { type: string; values?: unknown[] } } })._zod.def;
    return fieldDef.type !== 'literal' || fieldDef.values!.includes((raw as Record<string, unknown>)[key]);
  });
}

export type RouteConfig = z.infer<typeof route>;
export type ProviderOverride = z.infer<typeof provider>;
export type WhcliConfig = z.infer<typeof configSchema> & { path?: string };

/** Reads and validates a config file; every problem names the file and the field. */
export function readConfigFile(path: string): WhcliConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new WhcliError('WHCLI_ERR_BAD_CONFIG', `config ${path}: ${reason}`, 2);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // An unknown key first: a misspelt key also leaves the one it meant missing, and the typo is the cause.
    const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    const message = issue.code === 'unrecognized_keys' ? unknownKeyMessage(issue.keys, keysAt(configSchema, issue.path, raw)) : issue.message;
    throw new WhcliError('WHCLI_ERR_BAD_CONFIG', `config ${path}: ${where}: ${message}`, 2);
  }
  const config: WhcliConfig = { ...parsed.data, path };
  for (const p of config.providers) {
    if (p.fixturesDir) p.fixturesDir = resolve(dirname(path), p.fixturesDir);
  }
  return config;
}

const DEFAULT_ENVELOPE: ProviderSpec['envelope'] = {
  template: { type: '{{event}}', data: '{{data}}' },
  typeFrom: { path: 'type' },
  idTemplate: 'evt_{{rand}}',
};

/**
 * Lays the config's providers over the built-ins: a provider with a built-in's name changes only the
 * fields it gives; a new name defines a provider of its own (scheme and events required).
 */
export function mergeProviders(
  builtins: readonly ProviderSpec[],
  overrides: readonly ProviderOverride[],
  configPath = CONFIG_FILE_NAME,
): ProviderSpec[] {
  const merged = [...builtins];
  for (const override of overrides) {
    const index = merged.findIndex((p) => p.name === override.name);
    const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined));
    if (index >= 0) {
      merged[index] = { ...merged[index]!, ...defined } as ProviderSpec;
      continue;
    }
    if (!override.scheme || !override.events?.length) {
      throw new WhcliError(
        'WHCLI_ERR_BAD_CONFIG',
        `config ${configPath}: provider "${override.name}" needs a scheme and at least one event`,
        2,
      );
    }
    merged.push({
      title: override.name,
      envelope: DEFAULT_ENVELOPE,
      timeoutMs: 30_000,
      retries: [],
      notes: [],
      ...defined,
    } as unknown as ProviderSpec);
  }
  return merged;
}
