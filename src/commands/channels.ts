import type { Environment } from '../context.js';
import { loadContext } from '../context.js';
import { UsageError } from '../errors.js';
import { listRemoteChannels, type OwnedChannel } from '../tunnel/remote-channels.js';
import { parseRelayUrl } from '../tunnel/relay-url.js';

export interface ChannelsOptions {
  relay?: string;
  relayKey?: string;
  config?: string;
}

/** The caller's channels on a team relay, with their URLs; the key comes as for `whcli listen`. */
export async function listChannels(options: ChannelsOptions, environment: Environment): Promise<{ relay: string; key: string; channels: OwnedChannel[] }> {
  const { config } = await loadContext(environment, options.config);
  const relayText = options.relay ?? config?.relay;
  if (!relayText) throw new UsageError('channels needs --relay <url> (or "relay" in whcli.config.json)');
  const key = options.relayKey ?? (environment.env.WHCLI_RELAY_KEY || undefined) ?? config?.relayKey;
  if (!key) throw new UsageError('channels needs an access key: --relay-key, WHCLI_RELAY_KEY or "relayKey" in whcli.config.json');
  const relay = parseRelayUrl(relayText);
  const listed = await listRemoteChannels(relay, key);
  return { relay: relay.origin, ...listed };
}
