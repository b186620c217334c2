import type { ProviderSpec } from '../providers/types.js';
import type { RelayEvent } from '../relay/protocol.js';
import { describeEvent, type EventInfo } from './forward.js';

/** One route of a listener serving a whole app: what it matches and where (and as whom) it forwards. */
export interface Route {
  name: string;
  /** Path prefix, without a trailing slash; matched on whole segments and stripped before forwarding. */
  path?: string;
  /** Event type globs (`*` matches any run of characters); any one matching is enough. */
  events?: string[];
  forward: URL;
  provider?: ProviderSpec;
  secret?: string;
  resign: boolean;
  /** The provider's real secret, checked against each event's own signature before forwarding. */
  verifyIncoming?: string;
}

/** A route as written in the compact flag form, before provider and secrets are resolved. */
export interface RouteSpec {
  name: string;
  path?: string;
  events?: string[];
  forward: string;
  provider?: string;
}

export const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const ROUTE_FLAG_FORM = 'NAME:[/PATH][:EVENT,GLOB.*]=FORWARD[@PROVIDER]';

/**
 * Parses `--route 'stripe:/stripe:invoice.*=3000/webhooks/stripe@stripe'`. Returns the reason when the
 * text does not fit, so the caller can say it with the flag's name.
 */
export function parseRouteFlag(text: string): RouteSpec | string {
  const eq = text.indexOf('=');
  if (eq < 0) return `expected ${ROUTE_FLAG_FORM}, e.g. stripe:/stripe=3000/webhooks@stripe`;
  const [name = '', path = '', events, ...extra] = text.slice(0, eq).split(':');
  if (!ROUTE_NAME.test(name)) return 'the route name (before the first ":") must be letters, digits, - and _';
  if (extra.length) return `too many ":" before "=" (expected ${ROUTE_FLAG_FORM})`;
  if (path && !path.startsWith('/')) return `the path must start with "/", got "${path}"`;
  let forward = text.slice(eq + 1);
  let provider: string | undefined;
  const at = forward.lastIndexOf('@');
  if (at >= 0 && /^[a-z0-9][a-z0-9_-]*$/.test(forward.slice(at + 1))) {
    provider = forward.slice(at + 1);
    forward = forward.slice(0, at);
  }
  if (!forward) return 'the forward target (after "=") is empty';
  const globs = events?.split(',').map((e) => e.trim()).filter(Boolean);
  if (!path && !globs?.length) return 'give a path prefix, event globs or both, e.g. stripe:/stripe=3000 or billing::invoice.*=3000';
  return { name, path: path ? normalizePath(path) : undefined, events: globs?.length ? globs : undefined, forward, provider };
}

/** `/stripe/` and `/stripe` are the same prefix; `/` matches every path. */
export function normalizePath(path: string): string {
  return path.replace(/\/+$/, '');
}

function globMatches(glob: string, value: string): boolean {
  const pattern = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(value);
}

/** The rest of `path` after `prefix` when the prefix covers whole segments, else undefined. */
function afterPrefix(path: string, prefix: string | undefined): string | undefined {
  if (!prefix) return path;
  if (path === prefix) return '';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

export interface RouteMatch {
  route: Route;
  info: EventInfo;
  /** The event as the route forwards it: its path with the route's prefix removed. */
  event: RelayEvent;
}

/** The first route that matches the event's path and type, in order; undefined when none does. */
export function matchRoute(routes: readonly Route[], event: RelayEvent): RouteMatch | undefined {
  for (const route of routes) {
    const rest = afterPrefix(event.path, route.path);
    if (rest === undefined) continue;
    const info = describeEvent(event, route.provider);
    if (route.events && !(info.type && route.events.some((glob) => globMatches(glob, info.type!)))) continue;
    return { route, info, event: rest === event.path ? event : { ...event, path: rest } };
  }
  return undefined;
}

/** Why no route took an event, for the screen and history. */
export function describeUnrouted(routes: readonly Route[], event: RelayEvent): string {
  const type = describeEvent(event).type;
  const names = routes.map((r) => r.name).join(', ');
  return `no route matches path ${event.path || '/'}${type ? ` and event type ${type}` : ''} (routes: ${names})`;
}

/** One line per route for the banner: `stripe  /stripe invoice.* -> http://…  (stripe, re-signed)`. */
export function describeRoute(route: Route): string {
  const match = [route.path, route.events?.join(',')].filter(Boolean).join(' ') || '(everything else)';
  const signing = route.resign ? `${route.provider!.name}, re-signed` : route.provider ? `${route.provider.name}, passed through` : 'passed through';
  const verify = route.verifyIncoming !== undefined ? ', incoming verified' : '';
  return `${match} -> ${route.forward.toString()}  (${signing}${verify})`;
}
