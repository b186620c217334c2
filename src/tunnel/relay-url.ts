import { UsageError } from '../errors.js';

/** Normalises --relay: http(s) and ws(s) base URLs alike, to the http(s) base without a trailing slash. */
export function parseRelayUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(input) ? input : `http://${input}`);
  } catch {
    throw new UsageError(`invalid --relay "${input}": expected a URL like https://relay.example.com`, 'WHCLI_ERR_BAD_URL');
  }
  const protocols: Record<string, string> = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' };
  const protocol = protocols[url.protocol];
  if (!protocol) throw new UsageError(`invalid --relay "${input}": use http, https, ws or wss`, 'WHCLI_ERR_BAD_URL');
  // A channel's own URL (what `listen` prints) is not the relay: posting there would make events.
  const channelAt = /\/(c|ws)\/[^/]+/.exec(url.pathname);
  if (channelAt) {
    const relay = `${url.protocol}//${url.host}${url.pathname.slice(0, channelAt.index)}`;
    throw new UsageError(`--relay "${input}" is a channel URL: pass the relay's base URL, --relay ${relay}`, 'WHCLI_ERR_BAD_URL');
  }
  const base = new URL(`${protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`);
  return base;
}

/** The WebSocket URL of a channel on a relay. */
export function channelSocketUrl(relay: URL, channel: string): string {
  const ws = relay.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${ws}//${relay.host}${relay.pathname.replace(/\/$/, '')}/ws/${channel}`;
}
