import type { WhcliConfig } from '../config/config-file.js';
import type { Environment } from '../context.js';
import { parseTarget } from '../delivery/target.js';
import { UsageError } from '../errors.js';
import type { Catalogue } from '../providers/catalogue.js';
import { normalizePath, parseRouteFlag, type Route, type RouteSpec } from '../tunnel/routes.js';

/** `WHCLI_SECRET_<ROUTE>`: the route's name upper-cased, other characters as `_`. */
export function routeEnvName(prefix: string, route: string): string {
  return `${prefix}_${route.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The routes of a listener: the config file's, in order, then `--route` flags (a flag with a config
 * route's name replaces its match and target, keeping its secrets). Secrets come from
 * WHCLI_SECRET_<ROUTE> / WHCLI_VERIFY_INCOMING_<ROUTE>, else the config route.
 */
export function resolveRoutes(flags: readonly string[] | undefined, config: WhcliConfig | undefined, catalogue: Catalogue, environment: Environment): Route[] {
  const specs: (RouteSpec & { secret?: string; resign?: boolean; verifyIncoming?: string })[] = (config?.routes ?? []).map((r) => ({
    name: r.name,
    path: r.match.path === undefined ? undefined : normalizePath(r.match.path),
    events: r.match.events,
    forward: r.forward,
    provider: r.provider,
    secret: r.secret,
    resign: r.resign,
    verifyIncoming: r.verifyIncoming,
  }));
  for (const text of flags ?? []) {
    const parsed = parseRouteFlag(text);
    if (typeof parsed === 'string') throw new UsageError(`--route "${text}": ${parsed}`);
    const index = specs.findIndex((s) => s.name === parsed.name);
    if (index >= 0) specs[index] = { ...specs[index]!, ...parsed };
    else specs.push(parsed);
  }
  const seen = new Set<string>();
  return specs.map((spec) => {
    if (seen.has(spec.name)) throw new UsageError(`two routes are named "${spec.name}": route names must differ`);
    seen.add(spec.name);
    const provider = spec.provider ? catalogue.provider(spec.provider) : undefined;
    const env = environment.env;
    const secret = env[routeEnvName('WHCLI_SECRET', spec.name)] || spec.secret;
    const verifyIncoming = env[routeEnvName('WHCLI_VERIFY_INCOMING', spec.name)] || spec.verifyIncoming;
    if (verifyIncoming !== undefined && !provider) {
      throw new UsageError(`route "${spec.name}" has verifyIncoming but no provider: name the provider whose signature it checks`);
    }
    if (spec.resign !== false && provider && secret === undefined) {
      throw new UsageError(
        `route "${spec.name}" re-signs as ${provider.name} but has no secret: set ${routeEnvName('WHCLI_SECRET', spec.name)}, add "secret" to the route, or "resign": false`,
        'WHCLI_ERR_NO_SECRET',
      );
    }
    const forward = parseTarget(spec.forward, `forward of route "${spec.name}"`);
    return { name: spec.name, path: spec.path, events: spec.events, forward, provider, secret, resign: spec.resign !== false && provider !== undefined && secret !== undefined, verifyIncoming };
  });
}

/** One route by name, or a usage error listing the names there are. */
export function findRoute(routes: readonly Route[], name: string): Route {
  const route = routes.find((r) => r.name === name);
  if (route) return route;
  const names = routes.map((r) => r.name);
  throw new UsageError(names.length ? `no route named "${name}" (routes: ${names.join(', ')})` : `no route named "${name}": add "routes" to whcli.config.json or pass --route`);
}

/**
 * `--route NAME` for trigger and verify: the route's provider, handler and secret, where the command's
 * own flags do not give them. The config file's routes (and WHCLI_SECRET_<ROUTE>) are the source.
 */
export async function withRouteTarget<T extends { route?: string; provider?: string; forward?: string; secret?: string; config?: string }>(options: T, environment: Environment): Promise<T> {
  if (options.route === undefined) return options;
  const { loadContext } = await import('../context.js');
  const { config, catalogue } = await loadContext(environment, options.config);
  const route = findRoute(resolveRoutes([], config, catalogue, environment), options.route);
  return {
    ...options,
    provider: options.provider ?? route.provider?.name,
    forward: options.forward ?? route.forward.toString(),
    secret: options.secret ?? route.secret,
  };
}

/** Every route's name, in order, for `verify --routes`. */
export async function routeNames(environment: Environment, configPath?: string): Promise<string[]> {
  const { loadContext } = await import('../context.js');
  const { config, catalogue } = await loadContext(environment, configPath);
  const names = resolveRoutes([], config, catalogue, environment).map((r) => r.name);
  if (names.length === 0) throw new UsageError('--routes checks every route of whcli.config.json, and it has none: add "routes"');
  return names;
}
