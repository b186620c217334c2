import type { HeaderList, OutgoingRequest } from '../delivery/send.js';
import { joinTarget, rawTargetPath } from '../delivery/target.js';
import { readPath } from '../fixtures/set-path.js';
import { signerFor, signRequest } from '../providers/sign.js';
import type { ProviderSpec } from '../providers/types.js';
import type { RelayEvent } from '../relay/protocol.js';

// Hop-by-hop headers describe one connection, not the message (RFC 9110 §7.6.1); host and
// content-length are recomputed for the new connection. `expect: 100-continue` was answered by the
// relay, which already holds the whole body; undici refuses to send it (curl adds it to large bodies).
const NOT_FORWARDED = new Set([
  'expect',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

const NOTHING: ReadonlySet<string> = new Set();
const signatureHeaderSets = new WeakMap<ProviderSpec, ReadonlySet<string>>();

/** The provider's signature header names, lower-case: removed before re-signing. */
function signatureHeaderSet(provider: ProviderSpec): ReadonlySet<string> {
  let set = signatureHeaderSets.get(provider);
  if (!set) signatureHeaderSets.set(provider, (set = new Set(signerFor(provider).headerNames.map((h) => h.toLowerCase()))));
  return set;
}

export interface ForwardOptions {
  forward: URL;
  provider?: ProviderSpec;
  secret?: string;
  /** Replace the provider's signature headers with a fresh signature. */
  resign: boolean;
  /** The URL URL-signing schemes sign; defaults to the handler's URL. */
  signatureUrl?: string;
  timeoutMs: number;
  /** Added to every forwarded request (listen -H), replacing a header of the same name. */
  headers?: readonly [string, string][];
  /** Accept the handler's TLS certificate unchecked (listen --insecure). */
  insecure?: boolean;
}

/** Applies -H headers: each replaces any header of the same name, in any case. */
function withExtraHeaders(headers: HeaderList, extra: readonly [string, string][] | undefined): HeaderList {
  for (const [name, value] of extra ?? []) {
    for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
    headers[name] = value;
  }
  return headers;
}

/** What an event is, read through the provider's envelope. */
export interface EventInfo {
  type?: string;
  eventId?: string;
}

function header(event: RelayEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  return event.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    // Form posts (Twilio, Slack commands, Mailgun) name their event in a field.
    return /^[\w.%+-]+=/.test(text) ? formFields(text) : undefined;
  }
}

/** Form fields as an object; a JSON value (Slack's payload=) is parsed so dot paths reach into it. */
function formFields(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    let parsed: unknown = value;
    if (value.startsWith('{')) {
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = value;
      }
    }
    Object.defineProperty(fields, name, { value: parsed, enumerable: true, writable: true, configurable: true });
  }
  return fields;
}

/** Reads the event type and id; without a provider, tries the common places. */
export function describeEvent(event: RelayEvent, provider?: ProviderSpec): EventInfo {
  let parsed: unknown;
  const body = () => (parsed ??= parseJson(event.body) ?? null);
  const str = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
  if (provider) {
    const { typeFrom, idFrom } = provider.envelope;
    let type = typeFrom.header ? header(event, typeFrom.header) : typeFrom.path ? str(readPath(body(), typeFrom.path)) : undefined;
    if (type === undefined && typeFrom.fallbackPath) type = str(readPath(body(), typeFrom.fallbackPath));
    if (type !== undefined && typeFrom.names && Object.hasOwn(typeFrom.names, type)) type = typeFrom.names[type];
    if (type && typeFrom.actionPath) {
      const action = str(readPath(body(), typeFrom.actionPath));
      if (action) type = `${type}.${action}`;
    }
    const eventId = idFrom?.header ? header(event, idFrom.header) : idFrom?.path ? str(readPath(body(), idFrom.path)) : undefined;
    return { type, eventId };
  }
  const type =
    header(event, 'x-github-event') ??
    header(event, 'x-shopify-topic') ??
    str(readPath(body(), 'type')) ??
    str(readPath(body(), 'event')) ??
    str(readPath(body(), 'event.type'));
  return { type, eventId: str(readPath(body(), 'id')) ?? header(event, 'webhook-id') };
}

/** The header names a Connection header lists, lower-case (RFC 9110 §7.6.1: hop-by-hop too). */
function connectionTokens(pairs: readonly [string, string][]): ReadonlySet<string> {
  let tokens: Set<string> | undefined;
  for (const [name, value] of pairs) {
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    tokens ??= new Set();
    for (const token of value.split(',')) tokens.add(token.trim().toLowerCase());
  }
  return tokens ?? NOTHING;
}

/** Header pairs as sent, minus hop-by-hop ones and `drop`; repeated headers stay repeated. */
export function forwardableHeaders(pairs: readonly [string, string][], drop: ReadonlySet<string>): HeaderList {
  const connectionListed = connectionTokens(pairs);
  const out: HeaderList = {};
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (NOT_FORWARDED.has(lower) || connectionListed.has(lower) || drop.has(lower)) continue;
    const existing = out[name];
    out[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** Each %XX as the byte it stands for (one char per byte): what a handler that decodes before routing sees. */
function percentDecoded(text: string): string {
  return text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * Why a sender's path, once resolved, would leave the --forward base path (`/..\admin`, `%2e%2e`,
 * `..%5c`, doubly encoded), or undefined when it stays under it. Resolved by the WHATWG URL parser as
 * sent and once percent-decoded, since a handler may route either way.
 */
export function pathLeavesBase(base: URL, suffix: string): string | undefined {
  if (!suffix || suffix === '/') return undefined;
  const basePath = base.pathname.replace(/\/$/, '');
  const joined = suffix.startsWith('/') ? suffix : `/${suffix}`;
  for (const candidate of [joined, percentDecoded(joined)]) {
    const resolved = new URL(`${basePath}${candidate}`, base.origin).pathname;
    if (resolved !== basePath && !resolved.startsWith(`${basePath}/`)) {
      return `the path resolves to ${resolved}, outside the --forward path ${basePath || '/'}`;
    }
  }
  return undefined;
}

let lastTarget: { base: string; path: string; query: string; url: URL; rawPath: string } | undefined;

/**
 * The handler's URL and request-line path for an event. A channel's events mostly share one path, so
 * the last one is kept rather than parsed again per event: its URL is shared, and nothing modifies it.
 */
function forwardTarget(base: URL, path: string, query: string): { url: URL; rawPath: string } {
  const last = lastTarget;
  if (last && last.base === base.href && last.path === path && last.query === query) return last;
  lastTarget = { base: base.href, path, query, url: joinTarget(base, path, query), rawPath: rawTargetPath(base, path, query) };
  return lastTarget;
}

/** The request the handler receives for a relayed event: same bytes, method, path and query. */
export function buildForwardRequest(event: RelayEvent, options: ForwardOptions, info?: EventInfo): OutgoingRequest {
  const { url, rawPath } = forwardTarget(options.forward, event.path, event.query);
  const { provider, secret } = options;
  const common = { url, rawPath, method: event.method, body: event.body, timeoutMs: options.timeoutMs, ...(options.insecure ? { insecure: true } : {}) };
  if (!options.resign || !provider || secret === undefined) {
    return { ...common, headers: withExtraHeaders(forwardableHeaders(event.headers, NOTHING), options.headers) };
  }
  const headers = forwardableHeaders(event.headers, signatureHeaderSet(provider));
  const eventId = (info ?? describeEvent(event, provider)).eventId ?? event.id;
  const signed = signRequest(provider, { body: event.body, secret, eventId, url: options.signatureUrl ?? url.toString(), method: event.method });
  Object.assign(headers, signed.headers);
  return { ...common, body: signed.body, headers: withExtraHeaders(headers, options.headers) };
}

/** Checks the signature an event arrived with, as the provider made it, against the provider's secret. */
export function verifyIncoming(event: RelayEvent, provider: ProviderSpec, secret: string): { ok: true } | { ok: false; reason: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of event.headers) headers[name.toLowerCase()] ??= value;
  return signerFor(provider).verify({ body: event.body, headers, secret });
}
