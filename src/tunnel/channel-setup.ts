import { setTimeout as sleepFor } from 'node:timers/promises';
import { request } from 'undici';
import { WhcliError } from '../errors.js';
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

/** Asks a relay for a new channel. */
export async function createRemoteChannel(relay: URL): Promise<ChannelCredentials> {
  const url = new URL(`${relay.pathname.replace(/\/$/, '')}/api/channels`, relay);
  let response;
  try {
    response = await request(url, { method: 'POST', headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} unreachable${code ? ` (${code})` : ''}`);
  }
  if (response.statusCode !== 201) {
    await response.body.dump();
    throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} refused to create a channel (HTTP ${response.statusCode})`);
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
 * The saved channel for this relay, or a new one (saved for next time), retrying while the relay is
 * unreachable until `signal` aborts.
 */
export async function ensureRemoteChannel(
  relay: URL,
  store: CredentialStore,
  options: { fresh?: boolean; signal: AbortSignal; onRetry: (message: string, retryInMs: number) => void },
): Promise<ChannelCredentials> {
  const key = relay.toString();
  if (!options.fresh) {
    const saved = await store.get(key);
    if (saved) return saved;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await createRemoteChannel(relay);
      await store.set(key, created);
      return created;
    } catch (error) {
      if (options.signal.aborted) throw error;
      const retryInMs = Math.min(10_000, 500 * 2 ** attempt);
      options.onRetry((error as Error).message, retryInMs);
      // Ctrl-C during the wait ends it at once (main maps the abort to exit 130).
      await sleepFor(retryInMs, undefined, { signal: options.signal }).catch(() => {});
      if (options.signal.aborted) throw error;
    }
  }
}
