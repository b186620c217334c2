import { request } from 'undici';
import { WhcliError } from '../errors.js';

export interface OwnedChannel {
  id: string;
  name?: string;
  url: string;
  createdAt: string;
}

/** One request to the relay's channel API with the key as a Bearer header; the answer's JSON, if any. */
async function channelApi(relay: URL, key: string, method: 'GET' | 'DELETE', suffix: string, what: string) {
  const url = new URL(`${relay.pathname.replace(/\/$/, '')}/api/channels${suffix}`, relay);
  let response;
  try {
    response = await request(url, { method, headers: { authorization: `Bearer ${key}` }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} unreachable${code ? ` (${code})` : ''}`);
  }
  const text = (await response.body.text()).slice(0, 1024 * 1024);
  let answer: Record<string, unknown> | undefined;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    answer = undefined;
  }
  const why = typeof answer?.error === 'string' ? `: ${answer.error.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200)}` : '';
  if (response.statusCode === 401 || response.statusCode === 403) {
    throw new WhcliError('WHCLI_ERR_AUTH', `relay ${relay.origin} refused to ${what} (HTTP ${response.statusCode})${why}`);
  }
  return { status: response.statusCode, answer, why };
}

/** The channels a relay says this access key owns (GET /api/channels). */
export async function listRemoteChannels(relay: URL, key: string): Promise<{ key: string; channels: OwnedChannel[] }> {
  const { status, answer } = await channelApi(relay, key, 'GET', '', 'list channels');
  if (status !== 200 || !answer || !Array.isArray(answer.channels)) {
    throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} answered the channel list with HTTP ${status} and no list (an older relay?)`);
  }
  const channels = (answer.channels as Partial<OwnedChannel>[])
    .filter((c) => typeof c?.id === 'string' && typeof c.url === 'string')
    .map((c) => ({ id: c.id!, ...(typeof c.name === 'string' ? { name: c.name } : {}), url: c.url!, createdAt: String(c.createdAt ?? '') }));
  return { key: String(answer.key ?? ''), channels };
}

/** Deletes a channel this access key owns, with every event the relay holds for it (DELETE /api/channels/<id>). */
export async function deleteRemoteChannel(relay: URL, key: string, id: string): Promise<void> {
  const { status, why } = await channelApi(relay, key, 'DELETE', `/${encodeURIComponent(id)}`, `delete channel ${id}`);
  if (status === 404) throw new WhcliError('WHCLI_ERR_NOT_FOUND', `relay ${relay.origin} has no channel ${id} owned by this key${why ? ` (${why.slice(2)})` : ''}`);
  if (status === 405 || status === 501) throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} cannot delete channels (HTTP ${status}: an older relay?)`);
  if (status !== 200) throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} answered the deletion of ${id} with HTTP ${status}${why}`);
}
