import { setTimeout as sleepFor } from 'node:timers/promises';
import { request } from 'undici';
import { WhcliError } from '../errors.js';
import { relayDispatcher } from '../delivery/send.js';
import type { ChannelCredentials, CredentialStore } from './credentials.js';

/** A relay's answer to POST /api/channels is read up to this size: a channel is three short strings. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The relay's answer, checked: the id goes into URLs and the file of saved channels. */
function channelFrom(answer: unknown): ChannelCredentials | undefined {
  const a = answer as Partial<Record<keyof ChannelCredentials, unknown>> | null;
  if (!a || typeof a !== 'object') return undefined;
  if (typeof a.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(a.id)) return undefined;
  if (typeof a.token !== 'string' || !/^[\x21-\x7e]{1,512}$/.test(a.token)) return undefined;
  if (typeof a.url !== 'string' || a.url.length > 2048 || !URL.canParse(a.url) || !/^https?:$/.test(new URL(a.url).protocol)) return undefined;
  return { id: a.id, token: a.token, url: a.url };
}

/** How long an unreachable (or 5xx-answering) relay is waited for before listen gives up. */
export const RELAY_WAIT_MS = 120_000;

/** A failure worth retrying: nothing answered yet, or a gateway in front of a relay that is starting. */
class RelayNotYetError extends WhcliError {}

/** TLS verification failures: retrying cannot fix them, the user must (see the message). */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Who asks for the channel: an access key (sent only as an Authorization header) and a channel name. */
export interface ChannelRequest {
  key?: string;
  name?: string;
}

function relayPath(relay: URL, path: string): URL {
  return new URL(`${relay.pathname.replace(/\/$/, '')}${path}`, relay);
}

async function call(relay: URL, path: string, method: 'GET' | 'POST', ask: ChannelRequest = {}) {
  try {
    return await request(relayPath(relay, path), {
      method,
      headers: { ...(ask.key ? { authorization: `Bearer ${ask.key}` } : {}), ...(ask.name ? { 'content-type': 'application/json' } : {}) },
      body: ask.name ? JSON.stringify({ name: ask.name }) : undefined,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      dispatcher: relayDispatcher(relay),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code && UNTRUSTED_CERTIFICATE.has(code)) {
      throw new WhcliError(
        'WHCLI_ERR_TLS',
        `relay ${relay.origin} presented a certificate this machine does not trust (${code}): set NODE_EXTRA_CA_CERTS=<its CA or certificate, PEM>, or give the relay a publicly trusted certificate`,
      );
    }
    throw new RelayNotYetError('WHCLI_ERR_RELAY', `relay ${relay.origin} unreachable${code ? ` (${code})` : ''}`);
  }
}

/** The relay's `error` text of a refusal, cut short and stripped of control characters. */
async function refusalText(body: AsyncIterable<unknown> & { dump(): Promise<void> }): Promise<string> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > 4096) break;
      chunks.push(chunk as Buffer);
    }
    const error = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: unknown }).error;
    return typeof error === 'string' ? `: ${error.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/**
 * Checks that a whcli relay answers at `relay` (GET /healthz is `{"ok":true}`) before anything is
 * posted there: a channel URL or another server would otherwise take each retry as an event.
 */
export async function checkRelay(relay: URL): Promise<void> {
  const response = await call(relay, '/healthz', 'GET');
  const text = await response.body.text().catch(() => '');
  if (response.statusCode >= 500) throw new RelayNotYetError('WHCLI_ERR_RELAY', `relay ${relay.origin} answered ${response.statusCode}`);
  let health: unknown;
  try {
    health = JSON.parse(text);
  } catch {
    health = undefined;
  }
  if (response.statusCode !== 200 || (health as { ok?: unknown } | undefined)?.ok !== true) {
    throw new WhcliError(
      'WHCLI_ERR_RELAY',
      `${relay.toString().replace(/\/$/, '')} is not a whcli relay (GET /healthz answered ${response.statusCode}${response.statusCode === 200 ? ' without {"ok":true}' : ''}): --relay takes the base URL of a \`whcli relay\` server`,
    );
  }
}

/** Asks a relay for a new channel (or the caller's named one). */
export async function createRemoteChannel(relay: URL, ask: ChannelRequest = {}): Promise<ChannelCredentials> {
  await checkRelay(relay);
  const response = await call(relay, '/api/channels', 'POST', ask);
  if (response.statusCode === 401 || response.statusCode === 403) {
    const why = await refusalText(response.body);
    const fix = ask.key ? '' : ' (pass --relay-key or set WHCLI_RELAY_KEY)';
    throw new WhcliError('WHCLI_ERR_AUTH', `relay ${relay.origin} refused the channel (HTTP ${response.statusCode})${why}${fix}`);
  }
  if (response.statusCode !== 201 && response.statusCode !== 200) {
    const why = await refusalText(response.body);
    throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} refused to create a channel (HTTP ${response.statusCode})${why}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      response.body.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    answer = undefined;
  }
  const channel = channelFrom(answer);
  if (!channel) throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} answered the new channel request with something that is not a channel (an id, a token and an http(s) url)`);
  return channel;
}

/**
 * The saved channel for this relay, or a new one (saved for next time). A relay that does not answer
 * yet is retried for RELAY_WAIT_MS (or until `signal` aborts); anything else that answers is refused at once.
 */
export async function ensureRemoteChannel(
  relay: URL,
  store: CredentialStore,
  options: { fresh?: boolean; signal: AbortSignal; onRetry: (message: string, retryInMs: number) => void; waitMs?: number } & ChannelRequest,
): Promise<ChannelCredentials> {
  const key = options.name ? `${relay.toString()}#${options.name}` : relay.toString();
  // A named channel is asked for every time: the relay answers with the same one.
  if (!options.fresh && !options.name) {
    const saved = await store.get(key);
    if (saved) return saved;
  }
  const waitMs = options.waitMs ?? RELAY_WAIT_MS;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await createRemoteChannel(relay, { key: options.key, name: options.name });
      await store.set(key, created);
      return created;
    } catch (error) {
      if (options.signal.aborted) throw error;
      if (!(error instanceof RelayNotYetError)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) throw new WhcliError('WHCLI_ERR_RELAY', `${error.message}; gave up after ${Math.round(waitMs / 1000)}s`);
      const retryInMs = Math.min(10_000, 500 * 2 ** attempt, left);
      options.onRetry(`${error.message} (giving up ${Math.round(waitMs / 1000)}s after the first try)`, retryInMs);
      // Ctrl-C during the wait ends it at once (main maps the abort to exit 130).
      await sleepFor(retryInMs, undefined, { signal: options.signal }).catch(() => {});
      if (options.signal.aborted) throw error;
    }
  }
}
