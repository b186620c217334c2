import { request } from 'undici';
import { WhcliError } from '../errors.js';

export interface OwnedChannel {
  id: string;
  name?: string;
  url: string;
  createdAt: string;
}

/** The channels a relay says this access key owns (GET /api/channels, the key as a Bearer header). */
export async function listRemoteChannels(relay: URL, key: string): Promise<{ key: string; channels: OwnedChannel[] }> {
  const url = new URL(`${relay.pathname.replace(/\/$/, '')}/api/channels`, relay);
  let response;
  try {
    response = await request(url, { method: 'GET', headers: { authorization: `Bearer ${key}` }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} unreachable${code ? ` (${code})` : ''}`);
  }
  const text = (await response.body.text()).slice(0, 1024 * 1024);
  let answer: { error?: unknown; key?: unknown; channels?: unknown } | undefined;
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    answer = undefined;
  }
  if (response.statusCode === 401 || response.statusCode === 403) {
    const why = typeof answer?.error === 'string' ? `: ${answer.error.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200)}` : '';
    throw new WhcliError('WHCLI_ERR_AUTH', `relay ${relay.origin} refused to list channels (HTTP ${response.statusCode})${why}`);
  }
  if (response.statusCode !== 200 || !answer || !Array.isArray(answer.channels)) {
    throw new WhcliError('WHCLI_ERR_RELAY', `relay ${relay.origin} answered the channel list with HTTP ${response.statusCode} and no list (an older relay?)`);
  }
  const channels = (answer.channels as Partial<OwnedChannel>[])
    .filter((c) => typeof c?.id === 'string' && typeof c.url === 'string')
    .map((c) => ({ id: c.id!, ...(typeof c.name === 'string' ? { name: c.name } : {}), url: c.url!, createdAt: String(c.createdAt ?? '') }));
  return { key: String(answer.key ?? ''), channels };
}
