import { defaultEnvVar, writeEnvVar } from '../config/env-file.js';
import type { WhcliConfig } from '../config/config-file.js';
import type { Environment } from '../context.js';
import { UsageError } from '../errors.js';
import type { Catalogue } from '../providers/catalogue.js';
import { localRetryDelays, type LocalRetryOptions } from '../tunnel/local-retries.js';
import type { Route } from '../tunnel/routes.js';
import { resolveRoutes } from './route-options.js';

/** The listener's single-target settings, as `listen` resolved them from its flags. */
export interface SingleTarget {
  forward?: URL;
  provider?: Route['provider'];
  secret?: string;
  resign: boolean;
  verifyIncoming?: string;
}

/**
 * The listener's routes (config file, then --route flags), or undefined without any. A --forward (or
 * the config's `forward`) beside routes becomes a last, catch-all route named "default".
 */
export function listenRoutes(flags: string[] | undefined, config: WhcliConfig | undefined, catalogue: Catalogue, environment: Environment, single: SingleTarget): Route[] | undefined {
  const routes = resolveRoutes(flags, config, catalogue, environment);
  if (routes.length === 0) return undefined;
  if (single.forward && !routes.some((r) => r.name === 'default')) {
    routes.push({ name: 'default', path: undefined, events: undefined, ...single, forward: single.forward });
  }
  return routes;
}

/** `--retries [--retry-mode M] [--time-scale N]`; every provider in use must have the mode. */
export function listenRetries(
  options: { retries?: boolean; retryMode?: string; timeScale?: string },
  environment: Environment,
  providers: readonly (Route['provider'])[],
): LocalRetryOptions | undefined {
  const scaleText = options.timeScale ?? environment.env.WHCLI_TIME_SCALE;
  if (!options.retries) {
    if (options.retryMode !== undefined || options.timeScale !== undefined) throw new UsageError('--retry-mode and --time-scale go with --retries');
    return undefined;
  }
  const timeScale = scaleText === undefined ? 1 : Number(scaleText);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new UsageError(`--time-scale must be a positive number, got "${scaleText}"`);
  const retries = { mode: options.retryMode, timeScale };
  for (const provider of providers) localRetryDelays(provider, retries); // an unknown mode fails here, before listening
  return retries;
}

/**
 * `--env-file .env [--env-var NAME]`: writes the secret(s) the listener signs with into the app's env
 * file. With routes, each re-signing route writes its own provider's variable (--env-var then names
 * the only one). Returns "NAME in FILE" lines for a notice.
 */
export async function writeListenEnvFile(
  options: { envFile?: string; dotenv?: string; envVar?: string },
  environment: Environment,
  single: SingleTarget,
  routes: readonly Route[] | undefined,
): Promise<string[]> {
  const envFile = options.envFile ?? options.dotenv;
  if (envFile === undefined) {
    if (options.envVar !== undefined) throw new UsageError('--env-var names the variable --env-file writes: give --env-file too');
    return [];
  }
  const { resolve } = await import('node:path');
  const file = resolve(environment.cwd, envFile);
  const signers = (routes ?? [{ ...single, name: '' }]).filter((t) => t.resign && t.secret !== undefined);
  if (signers.length === 0) throw new UsageError('--env-file writes the secret whcli signs with: give --provider and --secret (or routes that re-sign)');
  const vars = new Map<string, string>();
  for (const target of signers) {
    const name = options.envVar ?? defaultEnvVar(target.provider?.name);
    const earlier = vars.get(name);
    if (earlier !== undefined && earlier !== target.secret) {
      throw new UsageError(`two routes would write different secrets to ${name}: ${options.envVar ? 'drop --env-var' : 'give each provider its own secret variable'}`);
    }
    vars.set(name, target.secret!);
  }
  const written: string[] = [];
  for (const [name, value] of vars) {
    await writeEnvVar(file, name, value);
    written.push(`${name} in ${envFile}`);
  }
  return written;
}
