import { request } from 'undici';
import { WhcliError } from '../errors.js';
import type { CredentialStore } from './credentials.js';
import { createSmeeChannel, parseSourceUrl, SMEE_CHANGES, SmeeSource, smeeNewChannelUrl, type SmeeRequest, type SmeeStatus } from './smee-source.js';

export interface SmeeFront {
  /** The public URL providers post to. */
  url: string;
  /** What smee changes on the way, for the banner. */
  changes: string;
  stop(): Promise<void>;
}

export interface SmeeFrontOptions {
  /** `--source`: "smee", a smee server's /new URL, or a channel URL. */
  source: string;
  /** The relay channel each request is passed into (its ingress URL). */
  channelUrl: string;
  credentials: CredentialStore;
  signal: AbortSignal;
  onStatus: (status: SmeeStatus) => void;
}

/**
 * A smee.io channel in front of a relay channel: whatever smee hears is POSTed into the channel, so it
 * takes the listener's whole path (re-signing, filters, history, inspector, replay). A channel created
 * here is remembered, so the URL given to the provider stays the same across restarts.
 */
export async function openSmeeFront(options: SmeeFrontOptions): Promise<SmeeFront> {
  const channel = await smeeChannel(options);
  const source = new SmeeSource({ channel, inject: (r) => inject(options.channelUrl, r), onStatus: options.onStatus });
  await source.start(options.signal);
  return { url: channel.href, changes: SMEE_CHANGES, stop: () => source.stop() };
}

async function smeeChannel(options: SmeeFrontOptions): Promise<URL> {
  const newUrl = smeeNewChannelUrl(options.source);
  if (!newUrl) return parseSourceUrl(options.source);
  const key = `smee:${newUrl.origin}`;
  const saved = await options.credentials.get(key);
  if (saved) return new URL(saved.url);
  const channel = await createSmeeChannel(newUrl, options.signal);
  // smee channels have no token: whoever knows the URL may read and post, as smee.io says.
  await options.credentials.set(key, { id: channel.pathname.slice(1), token: '', url: channel.href });
  return channel;
}

async function inject(channelUrl: string, smee: SmeeRequest): Promise<void> {
  const target = smee.query ? `${channelUrl}?${smee.query}` : channelUrl;
  const response = await request(target, { method: 'POST', headers: smee.headers.flat(), body: smee.body });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new WhcliError('WHCLI_ERR_RELAY', `the relay answered ${response.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
}
