import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { findConfigFile } from './config/find-config.js';
import { builtinProviders } from './providers/builtin.js';
import { Catalogue } from './providers/catalogue.js';
import type { WhcliConfig } from './config/config-file.js';
import { whcliPaths } from './paths.js';
import { loadOrCreateKey } from './providers/key-store.js';
import type { ProviderSpec } from './providers/types.js';
import { isPrivateKeyPem } from './signing/asymmetric.js';

/** What every command may read from its surroundings, passed in so tests control it. */
export interface Environment {
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface Context {
  config: WhcliConfig | undefined;
  catalogue: Catalogue;
  /** The config file's absolute path, when there is one. */
  configPath?: string;
}

/** Loads the config file (explicit, or found upward from cwd) and the provider catalogue. */
export async function loadContext(environment: Environment, configPath?: string): Promise<Context> {
  const found = configPath ?? findConfigFile(environment.cwd);
  const path = found && resolve(environment.cwd, found);
  if (!path) return { config: undefined, catalogue: new Catalogue(builtinProviders) };
  // zod loads only when there is a config file to check.
  const { readConfigFile, mergeProviders } = await import('./config/config-file.js');
  const config = readConfigFile(path);
  return { config, catalogue: new Catalogue(mergeProviders(builtinProviders, config.providers, path)), configPath: path };
}

/** --secret, else WHCLI_SECRET, else the config file; undefined when none is set. */
export function optionalSecret(flag: string | undefined, environment: Environment, config?: WhcliConfig): string | undefined {
  const secret = flag ?? environment.env.WHCLI_SECRET ?? config?.secret;
  return secret === '' ? undefined : secret;
}

/** The three ways to give a signing secret, for messages that ask for one. */
export const SECRET_SOURCES = 'pass --secret, set WHCLI_SECRET, or add "secret" to whcli.config.json';

/** --secret, else WHCLI_SECRET, else the config file; a clear error when none is set. */
export function resolveSecret(flag: string | undefined, environment: Environment, config?: WhcliConfig): string {
  const secret = optionalSecret(flag, environment, config);
  if (secret === undefined) {
    throw new UsageError(
      `no signing secret: ${SECRET_SOURCES}`,
      'WHCLI_ERR_NO_SECRET',
    );
  }
  return secret;
}

/**
 * The secret a provider signs with. Asymmetric schemes sign with a PEM private key: one given by
 * --secret, WHCLI_SECRET or the config, else the provider's stored key pair (created on first use).
 */
export function resolveProviderSecret(provider: ProviderSpec, flag: string | undefined, environment: Environment, config?: WhcliConfig): string {
  if (provider.scheme.type !== 'asymmetric') return resolveSecret(flag, environment, config);
  const given = [flag, environment.env.WHCLI_SECRET, config?.secret].find(isPrivateKeyPem);
  if (given) return given;
  if (flag !== undefined) {
    throw new UsageError(`${provider.name} signs with a private key: --secret must be a PEM private key, or leave it out to use the key from \`whcli keys show ${provider.name}\``, 'WHCLI_ERR_BAD_SECRET');
  }
  return loadOrCreateKey(whcliPaths(environment).config, provider.name, provider.scheme.algorithm).pem;
}
