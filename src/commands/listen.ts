import { type Environment, loadContext } from '../context.js';
import { closeDeliveryPool } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';
import { parseDuration } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { whcliPaths } from '../paths.js';
import type { RelayServer } from '../relay/server.js';
import { ensureRemoteChannel } from '../tunnel/channel-setup.js';
import { CredentialStore, type ChannelCredentials } from '../tunnel/credentials.js';
import { History } from '../tunnel/history.js';
import { Listener, type ListenerCallbacks } from '../tunnel/listener.js';
import type { ConnectionStatus } from '../tunnel/relay-link.js';
import { parseRelayUrl } from '../tunnel/relay-url.js';
import { publishListener } from '../tunnel/running-listeners.js';
import { parsePositiveInt } from './shared-options.js';

export interface ListenOptions {
  forward?: string;
  relay?: string;
  provider?: string;
  secret?: string;
  events?: string;
  timeout?: string;
  resign?: boolean;
  concurrency?: string;
  /** Port of the embedded relay (default 8787, or any free port if taken). */
  port?: string;
  history?: boolean;
  config?: string;
}

export interface ListenReady {
  url: string;
  channel: string;
  relay: string;
  embedded: boolean;
  forward: string;
  provider?: string;
  resign: boolean;
  events?: string[];
}

export interface ListenDeps extends ListenerCallbacks {
  environment: Environment;
  signal: AbortSignal;
  onReady?: (ready: ListenReady) => void;
  onNotice?: (message: string) => void;
}

export interface ListenSummary {
  delivered: number;
  failed: number;
}

const EMBEDDED_PORT = 8787;

async function startEmbeddedRelay(portFlag: string | undefined, onNotice: (m: string) => void): Promise<RelayServer> {
  const { startRelay } = await import('../relay/server.js');
  const port = portFlag === undefined ? EMBEDDED_PORT : Number(portFlag);
  try {
    return await startRelay({ host: '127.0.0.1', port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || portFlag !== undefined) {
      throw new WhcliError('WHCLI_ERR_RELAY', `cannot start the embedded relay on 127.0.0.1:${port}: ${(error as Error).message}`);
    }
    onNotice(`port ${port} is taken (another whcli listen?): the embedded relay uses a free port, so the URL differs from last time`);
    return startRelay({ host: '127.0.0.1', port: 0 });
  }
}

/** Tunnels a relay channel to the local handler until `signal` aborts. */
export async function listen(options: ListenOptions, deps: ListenDeps): Promise<ListenSummary> {
  const { config, catalogue } = await loadContext(deps.environment, options.config);
  const forwardText = options.forward ?? config?.forward;
  if (!forwardText) throw new UsageError('listen needs --forward, e.g. --forward localhost:3000/webhooks');
  const forward = parseTarget(forwardText);
  const providerName = options.provider ?? config?.provider;
  const provider = providerName ? catalogue.provider(providerName) : undefined;
  const secret = options.secret ?? deps.environment.env.WHCLI_SECRET ?? config?.secret;
  const resign = options.resign !== false && provider !== undefined && secret !== undefined;
  const events = options.events ? new Set(options.events.split(',').map((e) => e.trim()).filter(Boolean)) : config?.events ? new Set(config.events) : undefined;
  if (provider && events) {
    const known = new Set(provider.events.map((e) => e.name));
    const unknown = [...events].filter((e) => !known.has(e));
    if (unknown.length) catalogue.resolveEvent(unknown[0]!, provider.name); // throws with a suggestion
  }
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : (provider?.timeoutMs ?? 30_000);
  const concurrency = options.concurrency ? parsePositiveInt(options.concurrency, '--concurrency') : 1;
  const relayText = options.relay ?? config?.relay;
  const notice = deps.onNotice ?? (() => {});

  const paths = whcliPaths(deps.environment);
  const credentials = new CredentialStore(paths.config);
  let embedded: RelayServer | undefined;
  let relay: URL;
  let channel: ChannelCredentials;
  if (relayText) {
    relay = parseRelayUrl(relayText);
    channel = await ensureRemoteChannel(relay, credentials, {
      signal: deps.signal,
      onRetry: (message, retryInMs) => notice(`${message}; retrying in ${(retryInMs / 1000).toFixed(1)}s`),
    });
  } else {
    embedded = await startEmbeddedRelay(options.port, notice);
    relay = new URL(embedded.url);
    const key = `embedded:${embedded.address.port}`;
    const saved = await credentials.get(key);
    if (saved) {
      await embedded.registerChannel(saved.id, saved.token);
      channel = { ...saved, url: `${embedded.url}/c/${saved.id}` };
    } else {
      channel = await embedded.createChannel();
      await credentials.set(key, channel);
    }
  }

  const history = options.history === false ? undefined : new History(paths.data);
  await history?.open();
  const unpublish = await publishListener(paths.state, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    url: channel.url,
    provider: provider?.name ?? '',
    forward: forward.toString(),
  });

  let listener: Listener;
  let failure: WhcliError | undefined;
  const stopped = new Promise<void>((resolve) => {
    if (deps.signal.aborted) resolve();
    deps.signal.addEventListener('abort', () => resolve(), { once: true });
    const start = (creds: ChannelCredentials) => {
      listener = new Listener(
        { relay, channel: creds.id, token: creds.token, forward, provider, secret, resign, events, timeoutMs, concurrency, history, local: embedded },
        {
          onDelivery: deps.onDelivery,
          onStatus: (status: ConnectionStatus) => {
            deps.onStatus?.(status);
            if (status.type !== 'rejected') return;
            if (status.status === 404 && relayText) {
              // The relay forgot our channel (restarted without a store): get a new one.
              notice('the relay no longer knows this channel: creating a new one (the URL changes)');
              ensureRemoteChannel(relay, credentials, { fresh: true, signal: deps.signal, onRetry: (m) => notice(m) })
                .then((fresh) => {
                  channel = fresh;
                  deps.onReady?.(ready(fresh));
                  start(fresh);
                })
                .catch((error) => {
                  failure = error as WhcliError;
                  resolve();
                });
              return;
            }
            failure = new WhcliError('WHCLI_ERR_AUTH', `relay refused the listener: ${status.reason} (HTTP ${status.status})`);
            resolve();
          },
        },
      );
      listener.start();
    };
    const ready = (creds: ChannelCredentials): ListenReady => ({
      url: creds.url,
      channel: creds.id,
      relay: relay.toString(),
      embedded: embedded !== undefined,
      forward: forward.toString(),
      provider: provider?.name,
      resign,
      events: events ? [...events] : undefined,
    });
    deps.onReady?.(ready(channel));
    start(channel);
  });

  await stopped;
  await listener!.stop();
  await unpublish();
  await history?.close();
  await embedded?.close();
  await closeDeliveryPool();
  if (failure) throw failure;
  return { delivered: listener!.delivered, failed: listener!.failed };
}
