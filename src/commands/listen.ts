import { type Environment, loadContext, optionalSecret, resolveProviderSecret, SECRET_SOURCES } from '../context.js';
import { closeDeliveryPool, proxySettings, useProxy } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';
import { parseDuration, parseSize } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { whcliPaths } from '../paths.js';
import type { ExchangeSummary } from '../inspector/exchange-json.js';
import type { InspectorServer, InspectorSession } from '../inspector/server.js';
import type { RelayServer } from '../relay/server.js';
import { ensureRemoteChannel } from '../tunnel/channel-setup.js';
import { CredentialStore, type ChannelCredentials } from '../tunnel/credentials.js';
import type { ReplayOptions } from '../inspector/replay.js';
import { History } from '../tunnel/history.js';
import { Listener, type ForwardedEvent, type ListenerCallbacks } from '../tunnel/listener.js';
import type { ConnectionStatus } from '../tunnel/relay-link.js';
import { parseRelayUrl } from '../tunnel/relay-url.js';
import { relaySocketAgent } from '../tunnel/relay-proxy.js';
import { publishListener } from '../tunnel/running-listeners.js';
import type { SmeeFront } from '../tunnel/smee-front.js';
import { DEFAULT_LISTEN_CONCURRENCY } from '../tunnel/defaults.js';
import { describeRoute } from '../tunnel/routes.js';
import { listenRetries, listenRoutes, writeListenEnvFile } from './listen-routing.js';
import { parseHeaderFlag, parsePositiveInt } from './shared-options.js';

export interface ListenOptions {
  forward?: string;
  relay?: string;
  /** Access key of a team relay (whk_…). */
  relayKey?: string;
  /** Name of a stable channel on a team relay. */
  channel?: string;
  provider?: string;
  secret?: string;
  events?: string;
  timeout?: string;
  resign?: boolean;
  /** The provider's real secret: refuse events whose incoming signature does not verify with it. */
  verifyIncoming?: string;
  concurrency?: string;
  /** One delivery at a time, in the relay's order. */
  ordered?: boolean;
  /** Port of the embedded relay (default 8787, or any free port if taken). */
  port?: string;
  history?: boolean;
  /** Port of the web inspector on 127.0.0.1 (default 4040, or any free port if taken); false: none. */
  inspect?: string | false;
  config?: string;
  /** A public front: "smee" (a new smee.io channel) or a smee channel URL. */
  source?: string;
  /** The public URL a tunnel (ngrok, cloudflared, Tailscale Funnel) gives the embedded relay. */
  publicUrl?: string;
  /** Largest body the embedded relay accepts, e.g. 25mb. */
  maxBody?: string;
  /** -H 'Name: value', added to every forwarded request. */
  header?: string[];
  /** Accept the handler's TLS certificate unchecked. */
  insecure?: boolean;
  /** Compact routes (`NAME:/PATH[:EVENTS]=FORWARD[@PROVIDER]`), after the config file's. */
  route?: string[];
  /** Retry failed deliveries locally on each provider's schedule. */
  retries?: boolean;
  retryMode?: string;
  timeScale?: string;
  /** Write the signing secret into this dotenv file. */
  envFile?: string;
  /** Same as envFile (Node 20 itself reads any `--env-file` argument). */
  dotenv?: string;
  envVar?: string;
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
  /** With routes: one line per route, in match order. */
  routes?: { name: string; description: string }[];
  /** With --retries: the time scale applied to the providers' schedules. */
  retries?: { timeScale: number; mode?: string };
  /** The web inspector's URL, unless --no-inspect. */
  inspector?: string;
  /** The inspector's default port, when another program had it and a free one was used instead. */
  inspectorPortTaken?: number;
  /** The front the URL belongs to, when it is not the relay's own. */
  source?: { kind: 'smee' | 'public-url'; relayUrl: string; note?: string };
}

export interface ListenDeps extends ListenerCallbacks {
  environment: Environment;
  signal: AbortSignal;
  onReady?: (ready: ListenReady) => void;
  onNotice?: (message: string) => void;
  /** A replay sent from the web inspector, once the handler answered. */
  onReplay?: (replay: ExchangeSummary) => void;
}

export interface ListenSummary {
  delivered: number;
  failed: number;
}

const EMBEDDED_PORT = 8787;
/** GitHub sends payloads up to 25 MB, the largest of the built-in providers. */
const DEFAULT_MAX_BODY = '25mb';
/** ngrok's inspector port, which its users already know. */
const INSPECTOR_PORT = 4040;

/** The embedded relay answers loopback names, and the host of a tunnel's --public-url in front of it. */
async function startEmbeddedRelay(portFlag: string | undefined, maxBodyBytes: number, publicUrl: URL | undefined, onNotice: (m: string) => void): Promise<RelayServer> {
  const { startRelay, LOOPBACK_HOSTS } = await import('../relay/server.js');
  const allowedHosts = publicUrl ? [...LOOPBACK_HOSTS, publicUrl.hostname] : LOOPBACK_HOSTS;
  const port = portFlag === undefined ? EMBEDDED_PORT : parsePort(portFlag, '--port');
  try {
    return await startRelay({ host: '127.0.0.1', port, maxBodyBytes, allowedHosts });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || portFlag !== undefined) {
      throw new WhcliError('WHCLI_ERR_RELAY', `cannot start the embedded relay on 127.0.0.1:${port}: ${(error as Error).message}`);
    }
    onNotice(`port ${port} is taken (another whcli listen?): the embedded relay uses a free port, so the URL differs from last time`);
    return startRelay({ host: '127.0.0.1', port: 0, maxBodyBytes, allowedHosts });
  }
}

/** `--public-url`: the origin (and optional path prefix) a tunnel in front of the relay answers on. */
function parsePublicUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--public-url must be a URL such as https://abc.ngrok.app, got "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--public-url must be an http(s) URL, got "${text}"`);
  if (url.search || url.hash || url.username) throw new UsageError(`--public-url takes an origin such as https://abc.ngrok.app (no query, fragment or credentials), got "${text}"`);
  return url;
}

function parsePort(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) throw new UsageError(`${flag} must be a port number (0 picks a free one), got "${text}"`);
  return value;
}

interface InspectorSetup {
  /** The --inspect port; undefined: the default, moving off it when taken; false: no inspector. */
  port: number | false | undefined;
  session: InspectorSession;
  forward: ReplayOptions;
  onNotice: (message: string) => void;
  onReplay?: (replay: ExchangeSummary) => void;
}

/** The web inspector and the log it shows, or undefined with --no-inspect. */
async function startWebInspector(setup: InspectorSetup): Promise<{ server: InspectorServer; record: (forwarded: ForwardedEvent) => void } | undefined> {
  if (setup.port === false) return undefined;
  const port = setup.port ?? INSPECTOR_PORT;
  const [{ startInspector }, { ExchangeLog }, { exchangeFromForward, replayExchange }, { exchangeSummary }] = await Promise.all([
    import('../inspector/server.js'),
    import('../inspector/exchange-log.js'),
    import('../inspector/replay.js'),
    import('../inspector/exchange-json.js'),
  ]);
  const log = new ExchangeLog();
  let server: InspectorServer;
  try {
    server = await startInspector({
      port,
      fallback: setup.port === undefined,
      log,
      session: setup.session,
      replay: (exchange, body) => replayExchange(exchange, setup.forward, body),
      onReplay: setup.onReplay && ((exchange) => setup.onReplay!(exchangeSummary(exchange))),
      onRefused: setup.onNotice,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`cannot serve the inspector on 127.0.0.1:${port}: the port is taken (use another --inspect port, or --no-inspect)`);
    }
    // The page's files missing (a broken install) must not stop the tunnel itself.
    setup.onNotice(`the web inspector is unavailable: ${(error as Error).message}`);
    return undefined;
  }
  return {
    server,
    record: (forwarded) => {
      const now = Date.now();
      log.addLater(() => exchangeFromForward(forwarded, now));
    },
  };
}

/** Tunnels a relay channel to the local handler until `signal` aborts. */
export async function listen(options: ListenOptions, deps: ListenDeps): Promise<ListenSummary> {
  const { config, catalogue, configPath } = await loadContext(deps.environment, options.config);
  const env = deps.environment.env;
  const notice = deps.onNotice ?? (() => {});
  // Flag, else environment (CI), else the config file.
  const forwardText = options.forward ?? env.WHCLI_FORWARD ?? config?.forward;
  const hasRoutes = (options.route?.length ?? 0) > 0 || (config?.routes?.length ?? 0) > 0;
  if (!forwardText && !hasRoutes) throw new UsageError('listen needs --forward, e.g. --forward localhost:3000/webhooks (or routes: --route NAME:/PATH=FORWARD@PROVIDER)');
  const single = forwardText ? parseTarget(forwardText) : undefined;
  const providerName = options.provider ?? env.WHCLI_PROVIDER ?? config?.provider;
  const provider = providerName ? catalogue.provider(providerName) : undefined;
  const secret = provider?.scheme.type === 'asymmetric' ? resolveProviderSecret(provider, options.secret, deps.environment, config) : optionalSecret(options.secret, deps.environment, config);
  const signatureUrl = env.WHCLI_PUBLIC_URL ?? config?.signatureUrl;
  if (provider && options.resign !== false && secret === undefined) {
    throw new UsageError(
      `listen re-signs each event as ${provider.name} and needs its signing secret: ${SECRET_SOURCES}; or pass --no-resign to forward the signatures as they arrive`,
      'WHCLI_ERR_NO_SECRET',
    );
  }
  const resign = options.resign !== false && provider !== undefined && secret !== undefined;
  const extraHeaders = (options.header ?? []).map(parseHeaderFlag);
  const maxBodyBytes = parseSize(options.maxBody ?? env.WHCLI_MAX_BODY ?? DEFAULT_MAX_BODY, '--max-body');
  useProxy(proxySettings(env));
  // The environment keeps the provider's real secret out of `ps`; the flag still wins.
  const verifyIncoming = options.verifyIncoming ?? (env.WHCLI_VERIFY_INCOMING || undefined);
  const routes = listenRoutes(options.route, config, catalogue, deps.environment, { forward: single, provider, secret, resign, verifyIncoming });
  const forward = single ?? routes![0]!.forward;
  const retries = listenRetries(options, deps.environment, routes ? routes.map((r) => r.provider) : [provider]);
  for (const line of await writeListenEnvFile(options, deps.environment, { forward: single, provider, secret, resign, verifyIncoming }, routes)) notice(`signing secret written: ${line}`);
  if (verifyIncoming !== undefined && !provider && (single || !routes)) {
    throw new UsageError('--verify-incoming (or WHCLI_VERIFY_INCOMING) needs --provider: it checks that provider\'s signature on each incoming event');
  }
  const eventsText = options.events ?? env.WHCLI_EVENTS;
  const events = eventsText ? new Set(eventsText.split(',').map((e) => e.trim()).filter(Boolean)) : config?.events ? new Set(config.events) : undefined;
  if (provider && events) {
    const known = new Set(provider.events.map((e) => e.name));
    const unknown = [...events].filter((e) => !known.has(e));
    if (unknown.length) catalogue.resolveEvent(unknown[0]!, provider.name); // throws with a suggestion
  }
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : (provider?.timeoutMs ?? 30_000);
  if (options.ordered && options.concurrency !== undefined && options.concurrency !== '1') {
    throw new UsageError('--ordered delivers one event at a time: it cannot go with --concurrency above 1');
  }
  const concurrency = options.ordered ? 1 : options.concurrency ? parsePositiveInt(options.concurrency, '--concurrency') : DEFAULT_LISTEN_CONCURRENCY;
  const inspectPort = typeof options.inspect === 'string' ? parsePort(options.inspect, '--inspect') : options.inspect;
  const relayText = options.relay ?? env.WHCLI_RELAY ?? config?.relay;
  const publicUrl = options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl);
  if (options.source !== undefined && options.verifyIncoming !== undefined) {
    throw new UsageError('--verify-incoming cannot work through --source: smee.io re-serializes the body, so the provider\'s own signature no longer matches (whcli re-signs each event instead)');
  }
  if (options.source !== undefined && publicUrl) throw new UsageError('--source and --public-url both name the public URL: give one');
  // A malformed --source is a usage error before anything starts (the embedded relay prints notices).
  if (options.source !== undefined) (await import('../tunnel/smee-source.js')).smeeNewChannelUrl(options.source);

  // The access key is a secret: from the flag, the environment or the config file; never printed.
  const channelRequest = { key: options.relayKey ?? (deps.environment.env.WHCLI_RELAY_KEY || undefined) ?? config?.relayKey, name: options.channel };
  if (channelRequest.name && !relayText) throw new UsageError('--channel names a channel on a team relay: add --relay <url> (and --relay-key)');
  const paths = whcliPaths(deps.environment);
  const credentials = new CredentialStore(paths.config);
  let embedded: RelayServer | undefined;
  let relay: URL;
  let channel: ChannelCredentials;
  if (relayText) {
    relay = parseRelayUrl(relayText);
    channel = await ensureRemoteChannel(relay, credentials, {
      ...channelRequest,
      signal: deps.signal,
      onRetry: (message, retryInMs) => notice(`${message}; retrying in ${(retryInMs / 1000).toFixed(1)}s`),
    });
  } else {
    embedded = await startEmbeddedRelay(options.port ?? env.WHCLI_PORT, maxBodyBytes, publicUrl, notice);
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

  let smee: SmeeFront | undefined;
  if (options.source !== undefined) {
    const { openSmeeFront } = await import('../tunnel/smee-front.js');
    smee = await openSmeeFront({
      source: options.source,
      channelUrl: channel.url,
      credentials,
      signal: deps.signal,
      onStatus: (status) => {
        if (status.type === 'disconnected') notice(`smee: ${status.reason}`);
        else if (status.type === 'refused') notice(`smee: an event could not be passed to the relay: ${status.reason}`);
      },
    }).catch(async (error: unknown) => {
      await embedded?.close();
      throw error;
    });
  }
  /** The URL providers post to: the front's, else the relay channel's. */
  const publicChannelUrl = (creds: ChannelCredentials): string => smee?.url ?? (publicUrl ? `${publicUrl.origin}${publicUrl.pathname.replace(/\/+$/, '')}/c/${creds.id}` : creds.url);
  const session = (creds: ChannelCredentials): InspectorSession => ({ url: publicChannelUrl(creds), forward: forward.toString(), provider: provider?.name, resign });
  const inspector = await startWebInspector({
    port: inspectPort,
    session: session(channel),
    forward: { forward, provider, secret, resign, timeoutMs, headers: extraHeaders, insecure: options.insecure === true, signatureUrl, routes },
    onNotice: notice,
    onReplay: deps.onReplay,
  }).catch(async (error: unknown) => {
    await embedded?.close();
    throw error;
  });

  const history = options.history === false ? undefined : new History(paths.data, undefined, notice);
  await history?.open();
  const startedAt = new Date().toISOString();
  // Published again when the channel is replaced, so `whcli trigger` never posts to a forgotten URL.
  const publish = (url: string) =>
    publishListener(paths.state, {
      pid: process.pid,
      startedAt,
      url,
      provider: provider?.name ?? '',
      forward: forward.toString(),
      resign,
      cwd: deps.environment.cwd,
      ...(configPath ? { config: configPath } : {}),
    });
  const unpublish = await publish(channel.url);

  let listener: Listener;
  let failure: WhcliError | undefined;
  /** Deliveries counted by listeners of channels since replaced. */
  const earlier = { delivered: 0, failed: 0 };
  const stopped = new Promise<void>((resolve) => {
    if (deps.signal.aborted) resolve();
    deps.signal.addEventListener('abort', () => resolve(), { once: true });
    const start = (creds: ChannelCredentials) => {
      listener = new Listener(
        {
          relay,
          channel: creds.id,
          token: creds.token,
          forward,
          provider,
          secret,
          resign,
          signatureUrl,
          events,
          timeoutMs,
          concurrency,
          history,
          local: embedded,
          verifyIncoming,
          headers: extraHeaders,
          insecure: options.insecure === true,
          agent: embedded ? undefined : relaySocketAgent(relay),
          routes,
          retries,
        },
        {
          onDelivery: deps.onDelivery,
          onRefused: deps.onRefused,
          onForward: inspector?.record,
          onStatus: (status: ConnectionStatus) => {
            deps.onStatus?.(status);
            if (status.type !== 'rejected') return;
            if (status.status === 404 && relayText) {
              // The relay forgot our channel (restarted without a store): get a new one.
              notice('the relay no longer knows this channel: creating a new one (the URL changes)');
              earlier.delivered += listener.delivered;
              earlier.failed += listener.failed;
              ensureRemoteChannel(relay, credentials, { ...channelRequest, fresh: true, signal: deps.signal, onRetry: (m) => notice(m) })
                .then(async (fresh) => {
                  await publish(fresh.url);
                  channel = fresh;
                  inspector?.server.setSession(session(fresh));
                  deps.onReady?.(ready(fresh));
                  start(fresh);
                })
                .catch((error) => {
                  failure = error as WhcliError;
                  resolve();
                });
              return;
            }
            failure =
              status.status === 410
                ? new WhcliError('WHCLI_ERR_NOT_FOUND', `${status.reason}: its events are gone; \`whcli listen\` with the same options makes it again, empty`)
                : new WhcliError('WHCLI_ERR_AUTH', `relay refused the listener: ${status.reason} (HTTP ${status.status})`);
            resolve();
          },
        },
      );
      listener.start();
    };
    const ready = (creds: ChannelCredentials): ListenReady => ({
      url: publicChannelUrl(creds),
      channel: creds.id,
      relay: relay.toString(),
      embedded: embedded !== undefined,
      forward: forward.toString(),
      provider: provider?.name,
      resign,
      events: events ? [...events] : undefined,
      routes: routes?.map((r) => ({ name: r.name, description: describeRoute(r) })),
      retries,
      inspector: inspector?.server.url,
      // Said in the banner (and the ready line), not as a warning: a second `whcli listen` is normal.
      inspectorPortTaken: inspector?.server.portTaken ? INSPECTOR_PORT : undefined,
      source: smee ? { kind: 'smee', relayUrl: creds.url, note: smee.changes } : publicUrl ? { kind: 'public-url', relayUrl: creds.url } : undefined,
    });
    deps.onReady?.(ready(channel));
    start(channel);
  });

  await stopped;
  const inFlight = listener!.inFlight;
  // The first Ctrl-C waits for deliveries under way (they are acknowledged and kept in history).
  if (inFlight > 0 && !failure) notice(`stopping: waiting for ${inFlight} ${inFlight === 1 ? 'delivery' : 'deliveries'} in flight to finish; Ctrl-C again stops at once`);
  await smee?.stop();
  await listener!.stop();
  await unpublish();
  await history?.close();
  await inspector?.server.close();
  await embedded?.close();
  await closeDeliveryPool();
  if (failure) throw failure;
  return { delivered: earlier.delivered + listener!.delivered, failed: earlier.failed + listener!.failed };
}
