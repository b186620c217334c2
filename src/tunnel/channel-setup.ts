import { setTimeout as sleepFor } from 'node:timers/promises';
import { request } from 'undici';
import { WhcliError } from '../errors.js';
import type { ChannelCredentials, CredentialStore } from './credentials.js';

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
  return (await response.body.json()) as ChannelCredentials;
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
