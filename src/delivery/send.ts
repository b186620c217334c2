import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher, ProxyAgent, errors } from 'undici';
import { ExcerptHandler, type ExcerptResponse } from './excerpt-handler.js';

/** Bytes of a response body kept for display and reports. */
export const RESPONSE_EXCERPT_BYTES = 4096;

export type HeaderList = Record<string, string | string[]>;

export interface OutgoingRequest {
  url: URL;
  /** Path and query exactly as they should appear on the request line (default: from `url`). */
  rawPath?: string;
  method: string;
  headers: HeaderList;
  body: Uint8Array;
  timeoutMs: number;
  /** Ends the request early (Ctrl-C). */
  signal?: AbortSignal;
  /** Accept this target's TLS certificate unchecked (a local handler's self-signed one). */
  insecure?: boolean;
}

export type DeliveryFailure = 'refused' | 'timeout' | 'reset' | 'dns' | 'tls' | 'error';

/** What happened to one attempt. */
export interface DeliveryResult {
  ok: boolean;
  status?: number;
  durationMs: number;
  headers?: HeaderList;
  /** The start of the response body, as text. */
  body?: string;
  bodyBytes?: number;
  error?: { kind: DeliveryFailure; message: string };
}

/** Proxy settings from HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case), as curl reads them. */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** The proxy settings in an environment. */
export function proxySettings(env: Record<string, string | undefined>): ProxySettings {
  const read = (name: string) => env[name.toLowerCase()] || env[name] || undefined;
  return { httpProxy: read('HTTP_PROXY'), httpsProxy: read('HTTPS_PROXY'), noProxy: read('NO_PROXY') };
}

let proxy: ProxySettings = {};

/** Sets the proxy every later request outside loopback goes through (commands call it once). */
export function useProxy(settings: ProxySettings): void {
  proxy = settings;
}

/**
 * The proxy for a target, or undefined to connect directly. One decision for deliveries and the relay
 * connection alike (undici's EnvHttpProxyAgent keeps its own, which a WebSocket cannot use): loopback
 * never goes through a proxy; NO_PROXY lists hosts, `.domain` suffixes, `host:port` or `*`.
 */
export function proxyFor(url: URL): string | undefined {
  if (isLoopback(url.hostname)) return undefined;
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const chosen = secure ? (proxy.httpsProxy ?? proxy.httpProxy) : proxy.httpProxy;
  if (!chosen) return undefined;
  const host = url.hostname.toLowerCase();
  const port = url.port || (secure ? '443' : '80');
  for (const entry of (proxy.noProxy ?? '').toLowerCase().split(/[,\s]+/).filter(Boolean)) {
    if (entry === '*') return undefined;
    const [name, entryPort] = entry.split(':') as [string, string | undefined];
    if (entryPort && entryPort !== port) continue;
    const bare = name.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return chosen;
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
}

/**
 * `localhost` is loopback in both families, as curl takes it, whatever /etc/hosts lists: with both
 * addresses tried (autoSelectFamily), a handler bound to ::1 only is reached as one on 127.0.0.1 is.
 */
function lookupBothLoopbacks(
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  const name = hostname.toLowerCase();
  if (name !== 'localhost' && !name.endsWith('.localhost')) {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => (options.all ? callback(error, addresses) : callback(error, addresses?.[0]?.address ?? '', addresses?.[0]?.family)));
    return;
  }
  const both: LookupAddress[] = [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ];
  if (options.all) callback(null, both);
  else callback(null, '127.0.0.1', 4);
}

// Keep-alive pools shared by the whole process: handlers see reused connections, as from a provider.
const dispatchers = new Map<string, Dispatcher>();

/**
 * The pool for a target: direct or through the proxy, checking certificates or not (--insecure).
 * Both address families are tried, as curl does, so `localhost` reaches a handler bound to ::1 only.
 */
export function dispatcherFor(url: URL, insecure = false): Dispatcher {
  const through = proxyFor(url);
  const key = `${through ?? 'direct'} ${insecure}`;
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    const connect = { autoSelectFamily: true, lookup: lookupBothLoopbacks, ...(insecure ? { rejectUnauthorized: false } : {}) };
    const options = { keepAliveTimeout: 10_000, connections: 128, connect };
    dispatcher = through ? new ProxyAgent({ ...options, uri: through, requestTls: connect }) : new Agent(options);
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

/** The pool for requests to a relay (its certificate is always checked). */
export function relayDispatcher(relay: URL): Dispatcher {
  return dispatcherFor(relay);
}

/** Closes pooled connections so the process can exit promptly. */
export async function closeDeliveryPool(): Promise<void> {
  const open = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.all(open.map((d) => d.close()));
}

function classify(error: unknown, url: URL, timeoutMs: number): { kind: DeliveryFailure; message: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code;
  const where = `${url.protocol}//${url.host}`;
  if (code === 'ECONNREFUSED') return { kind: 'refused', message: `connection refused by ${where}: is the handler running?` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', message: `cannot resolve host ${url.hostname}` };
  if (
    err.name === 'TimeoutError' ||
    err.name === 'AbortError' ||
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError
  ) {
    return { kind: 'timeout', message: `no response from ${where} within ${timeoutMs}ms` };
  }
  // An https:// target whose server answered in plain HTTP: OpenSSL's "wrong version number".
  if (url.protocol === 'https:' && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(err.message ?? ''))) {
    const plain = new URL(url);
    plain.protocol = 'http:';
    return { kind: 'tls', message: `the handler at ${url.host} speaks plain HTTP: use ${plain.origin}` };
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return { kind: 'tls', message: `the certificate of ${where} is not trusted (${code}): pass --insecure for a local handler, or NODE_EXTRA_CA_CERTS=<ca.pem>` };
  }
  if (code === 'ECONNRESET' || error instanceof errors.SocketError) {
    return { kind: 'reset', message: `connection to ${where} was closed before a response` };
  }
  return { kind: 'error', message: err.message || String(error) };
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): HeaderList {
  const out: HeaderList = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) out[name] = value;
  return out;
}

/** Sends one request and times it; never throws for network or HTTP failures. */
export async function sendRequest(req: OutgoingRequest): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  let handler: ExcerptHandler | undefined;
  const response = new Promise<ExcerptResponse>((resolve, reject) => {
    handler = new ExcerptHandler(RESPONSE_EXCERPT_BYTES, (error, answer) => (error ? reject(error) : resolve(answer!)));
  });
  // undici's own timeouts run on a coarse clock; this one makes --timeout 300ms mean 300 ms.
  const limit = deadline(req.timeoutMs, handler!, req.signal);
  try {
    // What undici's request() refuses before dispatching (dispatch would take it as an upgrade).
    if (req.method === 'CONNECT') throw new errors.InvalidArgumentError('invalid method');
    // The dispatcher takes the path as given; going through a URL would re-encode the query.
    dispatcherFor(req.url, req.insecure).dispatch(
      {
        origin: req.url.origin,
        path: req.rawPath ?? `${req.url.pathname}${req.url.search}`,
        method: req.method as 'POST',
        headers: req.headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      },
      handler!,
    );
    const { statusCode: status, headers, excerpt, size } = await response;
    return {
      ok: status >= 200 && status < 300,
      status,
      durationMs: elapsed(),
      headers: flattenHeaders(headers),
      body: excerpt,
      bodyBytes: size,
    };
  } catch (error) {
    return { ok: false, durationMs: elapsed(), error: classify(error, req.url, req.timeoutMs) };
  } finally {
    limit.clear();
  }
}

/**
 * Aborts the request after `ms` (a TimeoutError) or when `outer` does. A plain timer: on the
 * delivery path AbortSignal.timeout and AbortSignal.any cost a weak reference and a finalizer each.
 */
function deadline(ms: number, handler: ExcerptHandler, outer?: AbortSignal): { clear(): void } {
  const timer = setTimeout(() => handler.abort(new DOMException(`no response within ${ms}ms`, 'TimeoutError')), ms);
  if (!outer) return { clear: () => clearTimeout(timer) };
  const onOuterAbort = () => handler.abort(outer.reason);
  if (outer.aborted) onOuterAbort();
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  return {
    clear: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuterAbort);
    },
  };
}
