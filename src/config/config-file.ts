import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { WhcliError } from '../errors.js';
import type { ProviderSpec } from '../providers/types.js';

import { CONFIG_FILE_NAME } from './find-config.js';

const scheme = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hmac'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']),
    encoding: z.enum(['hex', 'base64']),
    header: z.string().min(1),
    prefix: z.string().optional(),
  }),
  z.object({
    type: z.literal('standard-webhooks'),
    idHeader: z.string().optional(),
    timestampHeader: z.string().optional(),
    signatureHeader: z.string().optional(),
    toleranceSec: z.number().positive().optional(),
  }),
  z.object({ type: z.literal('stripe'), header: z.string().optional(), toleranceSec: z.number().positive().optional() }),
  z.object({
    type: z.literal('slack'),
    header: z.string().optional(),
    timestampHeader: z.string().optional(),
    toleranceSec: z.number().positive().optional(),
  }),
]);

const event = z.union([
  z.string().min(1).transform((name) => ({ name, description: '' })),
  z.object({ name: z.string().min(1), description: z.string().default('') }),
]);

const retryStep = z.object({ delay: z.string(), count: z.number().int().nonnegative() });

const provider = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  title: z.string().optional(),
  docs: z.string().optional(),
  scheme: scheme.optional(),
  envelope: z
    .object({
      template: z.unknown(),
      typeFrom: z.object({ path: z.string().optional(), header: z.string().optional(), actionPath: z.string().optional() }),
      idFrom: z.object({ path: z.string().optional(), header: z.string().optional() }).optional(),
      idTemplate: z.string().default('evt_{{rand}}'),
    })
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  retries: z.array(retryStep).optional(),
  retryModes: z.record(z.string(), z.array(retryStep)).optional(),
  events: z.array(event).optional(),
  notes: z.array(z.string()).optional(),
  ordering: z.object({ guaranteed: z.boolean(), source: z.string() }).optional(),
  /** Relative to the config file. */
  fixturesDir: z.string().optional(),
});

const route = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, - and _'),
    match: z
      .object({ path: z.string().startsWith('/', 'a path prefix starts with "/"').optional(), events: z.array(z.string().min(1)).min(1).optional() })
      .strict()
      .refine((m) => m.path !== undefined || m.events !== undefined, 'give match.path, match.events or both'),
    forward: z.string().min(1),
    provider: z.string().optional(),
    secret: z.string().optional(),
    resign: z.boolean().optional(),
    verifyIncoming: z.string().optional(),
  })
  .strict();

const configSchema = z
  .object({
    $schema: z.string().optional(),
    provider: z.string().optional(),
    secret: z.string().optional(),
    forward: z.string().optional(),
    relay: z.string().optional(),
    events: z.array(z.string()).optional(),
    providers: z.array(provider).default([]),
    routes: z.array(route).optional(),
  })
  .strict();

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
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new WhcliError('WHCLI_ERR_BAD_CONFIG', `config ${path}: ${where}: ${issue.message}`, 2);
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
