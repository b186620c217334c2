import { EventSource } from 'undici';
import { UsageError, WhcliError } from '../errors.js';

/** A request as smee.io heard it, rebuilt from one server-sent event. */
export interface SmeeRequest {
  query: string;
  headers: [string, string][];
  body: Buffer;
}

/** What smee.io changes on the way, said in the banner and docs/public-urls.md. */
export const SMEE_CHANGES =
  'smee.io re-serializes JSON bodies (whitespace and key order change, only JSON objects pass) and forwards POST to the channel root only';

// smee adds its own fields beside the headers; the rest describe the sender's connection, not the event.
const NOT_HEADERS = new Set(['body', 'query', 'timestamp']);
const DROPPED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'proxy-authorization']);

/** The request one smee message carries, or undefined for a message that is not an event. */
export function parseSmeeMessage(data: string): SmeeRequest | undefined {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) return undefined;
  const fields = message as Record<string, unknown>;
  if (!('body' in fields)) return undefined;
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (NOT_HEADERS.has(name) || DROPPED.has(name.toLowerCase()) || typeof value !== 'string') continue;
    headers.push([name, value]);
  }
  const query = new URLSearchParams();
  if (fields.query && typeof fields.query === 'object') {
    for (const [key, value] of Object.entries(fields.query as Record<string, unknown>)) {
      for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'string') query.append(key, one);
    }
  }
  // smee parsed the body as JSON; this is its re-serialization, the bytes smee-client sends too.
  const body = fields.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(fields.body));
  return { query: query.toString(), headers, body };
}

/** Whether `--source` asks for a new smee channel: "smee", or a smee server's /new URL. */
export function smeeNewChannelUrl(source: string): URL | undefined {
  if (source === 'smee') return new URL('https://smee.io/new');
  const url = parseSourceUrl(source);
  return url.pathname.replace(/\/+$/, '') === '/new' ? url : undefined;
}

/** Parses a `--source` URL, with one clear line when it is not one. */
export function parseSourceUrl(source: string): URL {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new UsageError(`--source must be "smee" or a smee channel URL such as https://smee.io/AbC123, got "${source}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`--source must be an http(s) URL, got "${source}"`);
  }
  if (url.pathname.split('/').filter(Boolean).length !== 1) {
    throw new UsageError(`--source must name one smee channel (https://smee.io/<channel>) or "smee" for a new one, got "${source}"`);
  }
  return url;
}

/** Asks a smee server for a new channel: its /new answers with a redirect to the channel URL. */
export async function createSmeeChannel(newUrl: URL, signal: AbortSignal): Promise<URL> {
  let response: Response;
  try {
    response = await fetch(newUrl, { redirect: 'manual', signal });
  } catch (error) {
    throw new WhcliError('WHCLI_ERR_SOURCE', `cannot reach ${newUrl.origin} to create a smee channel: ${(error as Error).message}`);
  }
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (response.status < 300 || response.status > 399 || !location) {
    throw new WhcliError('WHCLI_ERR_SOURCE', `${newUrl.href} answered ${response.status} without a channel URL: is it a smee.io server?`);
  }
  const channel = new URL(location, newUrl);
  // smee builds the Location from X-Forwarded-Proto/Host: keep the scheme and host we reached it at.
  return new URL(channel.pathname, newUrl);
}

/** How long a first subscription may take before `listen` gives up with a clear line. */
const CONNECT_TIMEOUT_MS = 15_000;

export type SmeeStatus =
  | { type: 'connected' }
  | { type: 'disconnected'; reason: string }
  | { type: 'refused'; request: SmeeRequest; reason: string };

export interface SmeeSourceOptions {
  channel: URL;
  /** Hands one request to the relay channel; resolves once the relay has it. */
  inject: (request: SmeeRequest) => Promise<void>;
  onStatus: (status: SmeeStatus) => void;
}

/**
 * Subscribes to a smee.io channel (server-sent events) and passes each request on, one at a time and
 * in order. smee keeps nothing: what arrives while no one is subscribed is gone, so this stays
 * subscribed and lets EventSource reconnect.
 */
export class SmeeSource {
  private source: EventSource | undefined;
  private queue: Promise<void> = Promise.resolve();
  private wasOpen = false;

  constructor(private readonly options: SmeeSourceOptions) {}

  /** Subscribes; resolves once smee accepted the subscription, so nothing sent after it is missed. */
  async start(signal: AbortSignal, connectTimeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
    const source = new EventSource(this.options.channel.href);
    this.source = source;
    const channel = this.options.channel;
    source.onmessage = (message) => {
      const request = parseSmeeMessage(String(message.data));
      if (!request) return;
      this.queue = this.queue.then(() =>
        this.options.inject(request).catch((error: Error) => this.options.onStatus({ type: 'refused', request, reason: error.message })),
      );
    };
    await new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        source.close();
        reject(new WhcliError('WHCLI_ERR_SOURCE', reason));
      };
      const onAbort = () => fail('interrupted while subscribing to smee');
      const timer = setTimeout(() => fail(`${channel.origin} did not accept a subscription to ${channel.href} within ${connectTimeoutMs / 1000} s: is it a smee.io server, and reachable?`), connectTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      source.onopen = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wasOpen = true;
        this.options.onStatus({ type: 'connected' });
        resolve();
      };
      source.onerror = () => {
        // EventSource retries network errors by itself; a refusal (not 200 + text/event-stream) closes it.
        if (source.readyState === source.CLOSED) return fail(`${channel.href} refused the subscription: is it a smee.io channel URL?`);
        if (this.wasOpen) this.options.onStatus({ type: 'disconnected', reason: `lost ${channel.origin}; reconnecting` });
        this.wasOpen = false;
      };
    });
    source.onopen = () => {
      this.wasOpen = true;
      this.options.onStatus({ type: 'connected' });
    };
    source.onerror = () => {
      if (source.readyState === source.CLOSED) {
        this.options.onStatus({ type: 'disconnected', reason: `${channel.href} refused the subscription; no more events will arrive through it` });
      } else if (this.wasOpen) {
        this.options.onStatus({ type: 'disconnected', reason: `lost ${channel.origin}; reconnecting` });
      }
      this.wasOpen = false;
    };
  }

  /** Stops listening and waits for the requests already received to be passed on. */
  async stop(): Promise<void> {
    this.source?.close();
    this.source = undefined;
    await this.queue;
  }
}
