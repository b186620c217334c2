import type { Environment } from '../context.js';
import { loadContext } from '../context.js';
import { UsageError } from '../errors.js';
import { WhcliError } from '../errors.js';
import { whcliPaths } from '../paths.js';
import { CredentialStore } from '../tunnel/credentials.js';
import { deleteRemoteChannel, listRemoteChannels, type OwnedChannel } from '../tunnel/remote-channels.js';
import { parseRelayUrl } from '../tunnel/relay-url.js';

export interface ChannelsOptions {
  relay?: string;
  relayKey?: string;
  config?: string;
}

/** The relay and access key, found as `whcli listen` finds them. */
async function relayAndKey(options: ChannelsOptions, environment: Environment, verb: string): Promise<{ relay: URL; key: string }> {
  const { config } = await loadContext(environment, options.config);
  const relayText = options.relay ?? config?.relay;
  if (!relayText) throw new UsageError(`${verb} needs --relay <url> (or "relay" in whcli.config.json)`);
  const key = options.relayKey ?? (environment.env.WHCLI_RELAY_KEY || undefined) ?? config?.relayKey;
  if (!key) throw new UsageError(`${verb} needs an access key: --relay-key, WHCLI_RELAY_KEY or "relayKey" in whcli.config.json`);
  return { relay: parseRelayUrl(relayText), key };
}

/** The caller's channels on a team relay, with their URLs. */
export async function listChannels(options: ChannelsOptions, environment: Environment): Promise<{ relay: string; key: string; channels: OwnedChannel[] }> {
  const { relay, key } = await relayAndKey(options, environment, 'channels');
  const listed = await listRemoteChannels(relay, key);
  return { relay: relay.origin, ...listed };
}

/**
 * Deletes one of the caller's channels (by name, or by id for an unnamed one) with every event the
 * relay holds for it, and forgets it on this machine. Its URL stops answering; `whcli listen
 * --channel NAME` makes the same name again, empty.
 */
export async function removeChannel(nameOrId: string, options: ChannelsOptions, environment: Environment): Promise<{ relay: string; removed: OwnedChannel }> {
  const { relay, key } = await relayAndKey(options, environment, 'channels rm');
  const { channels, key: keyName } = await listRemoteChannels(relay, key);
  const channel = channels.find((c) => c.name === nameOrId) ?? channels.find((c) => c.id === nameOrId);
  if (!channel) {
    const names = channels.map((c) => c.name ?? c.id).join(', ');
    throw new WhcliError('WHCLI_ERR_NOT_FOUND', `key "${keyName}" owns no channel "${nameOrId}" on ${relay.origin}${names ? ` (it owns: ${names})` : ''}; \`whcli channels\` lists them`);
  }
  await deleteRemoteChannel(relay, key, channel.id);
  await new CredentialStore(whcliPaths(environment).config).forget(channel.id);
  return { relay: relay.origin, removed: channel };
}
