import { parseDuration, parseSize } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import type { Environment } from '../context.js';
import { whcliPaths } from '../paths.js';
import { openStore } from '../relay/open-store.js';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { RateLimit } from '../relay/rate-limit.js';
import { DEFAULT_MAX_LISTENERS, startRelay, type RequestLogEntry } from '../relay/server.js';
import type { KeyMode } from '../relay/channel-access.js';
import { parsePositiveInt } from './shared-options.js';

export interface RelayCommandOptions {
  host?: string;
  port?: string;
  publicUrl?: string;
  maxBody?: string;
  retention?: string;
  maxPending?: string;
  respondWith?: string;
  respondTimeout?: string;
  store?: string;
  fsync?: string;
  /** "<n>/s" or "<n>/m" ingress requests per channel; "0" turns the limit off. */
  rateLimit?: string;
  rateBurst?: string;
  maxListeners?: string;
  /** Unacknowledged bytes per channel before 503. */
  maxChannelBytes?: string;
  /** Unacknowledged bytes over all channels before 503: the process-wide bound. */
  maxTotalBytes?: string;
  /** Bytes of acknowledged events a channel keeps for late listeners. */
  keepAcked?: string;
  maxChannels?: string;
  /** Channel creations per client address, "<n>/s" or "<n>/m"; "0" turns the limit off. */
  channelRate?: string;
  /** Idle time after which a channel is deleted; "0" keeps channels forever. */
  channelIdle?: string;
  /** No access keys, even beyond loopback or with keys in the store. */
  open?: boolean;
  /** Channel creations per access key, "<n>/s" or "<n>/m"; "0" turns the limit off. */
  keyRate?: string;
  /** Channels one access key may own; 0: no cap. */
  maxChannelsPerKey?: string;
  /** PEM certificate chain file: serve HTTPS and WSS. */
  tlsCert?: string;
  /** PEM private key file for --tls-cert. */
  tlsKey?: string;
  /** One line per request: text, json, or none (default). */
  logFormat?: string;
}

/** Reads --tls-cert and --tls-key; both or neither. */
export async function readTlsFiles(certPath: string | undefined, keyPath: string | undefined): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) throw new UsageError('--tls-cert and --tls-key go together: give both PEM files');
  const read = async (path: string, flag: string) => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new UsageError(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: give a readable PEM file`);
    }
  };
  const tls = { cert: await read(certPath, '--tls-cert'), key: await read(keyPath, '--tls-key') };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new UsageError(`--tls-cert/--tls-key: not a usable certificate and key (${(error as Error).message})`);
  }
  return tls;
}

export const DEFAULT_MAX_CHANNELS_PER_KEY = '100';

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** What the relay asks of channel creators, in words for its start line. */
export function describeKeyMode(mode: KeyMode): string {
  if (mode === 'open') return 'keys off (--open): anyone who reaches this relay can create channels';
  if (mode === 'required') return 'access keys required';
  return 'access keys required once one is created (`whcli relay keys create`)';
}

export const DEFAULT_RATE_LIMIT = '100/s';
export const DEFAULT_CHANNEL_RATE = '60/m';
export const DEFAULT_CHANNEL_IDLE = '7d';
export const DEFAULT_MAX_TOTAL_BYTES = '1gb';
export const DEFAULT_MAX_CHANNEL_BYTES = '256mb';
export const DEFAULT_KEEP_ACKED = '16mb';
export const DEFAULT_MAX_CHANNELS = '100000';

/**
 * --rate-limit and --rate-burst as a token bucket, or undefined for "0" (no limit). The burst
 * defaults to two seconds' worth, at least one request.
 */
export function parseRateLimit(
  rate: string,
  burst: string | undefined,
  { flag = '--rate-limit', burstSeconds = 2, minBurst = 1 } = {},
): RateLimit | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min))?\s*$/i.exec(rate);
  if (!match) throw new UsageError(`invalid ${flag} "${rate}": use e.g. 100/s, 600/m, or 0 to turn it off`);
  const perSecond = Number(match[1]) / (/^m/i.test(match[2] ?? 's') ? 60 : 1);
  if (perSecond === 0) {
    if (burst !== undefined) throw new UsageError('--rate-burst needs a --rate-limit other than 0');
    return undefined;
  }
  const size = burst === undefined ? Math.max(minBurst, Math.ceil(perSecond * burstSeconds)) : parsePositiveInt(burst, '--rate-burst');
  return { perSecond, burst: size };
}

/** Runs `whcli relay` until `signal` aborts. */
export async function runRelay(
  options: RelayCommandOptions,
  deps: {
    environment: Environment;
    signal: AbortSignal;
    onListening: (info: { url: string; host: string; port: number; store: string; keys: KeyMode; access: string }) => void;
    /** Notices for the operator (damage found in the store, a failed compaction). */
    log?: (line: string) => void;
    /** Subscribes to reload requests (SIGHUP): the certificate files are read again. Returns an unsubscribe. */
    onReloadRequest?: (reload: () => void) => () => void;
    /** One entry per answered request, when --log-format is not none. */
    onRequest?: (entry: RequestLogEntry, format: 'text' | 'json') => void;
  },
): Promise<void> {
  const port = Number(options.port ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${options.port}"`);
  if (options.respondWith && !['ok', 'handler'].includes(options.respondWith)) {
    throw new UsageError(`--respond-with must be "ok" or "handler", got "${options.respondWith}"`);
  }
  if (options.publicUrl) {
    try {
      new URL(options.publicUrl);
    } catch {
      throw new UsageError(`invalid --public-url "${options.publicUrl}"`, 'WHCLI_ERR_BAD_URL');
    }
  }
  if (options.fsync && !['always', 'never'].includes(options.fsync)) {
    throw new UsageError(`--fsync must be "always" or "never", got "${options.fsync}"`);
  }
  // Each bound may come from the environment too (WHCLI_RELAY_*), for containers and CI.
  const env = deps.environment.env;
  const maxTotalBytes = parseSize(options.maxTotalBytes ?? env.WHCLI_RELAY_MAX_TOTAL_BYTES ?? DEFAULT_MAX_TOTAL_BYTES, '--max-total-bytes');
  const maxChannels = Number(options.maxChannels ?? env.WHCLI_RELAY_MAX_CHANNELS ?? DEFAULT_MAX_CHANNELS);
  if (!Number.isInteger(maxChannels) || maxChannels < 0) {
    throw new UsageError(`--max-channels must be a whole number (0 for no cap), got "${options.maxChannels ?? env.WHCLI_RELAY_MAX_CHANNELS}"`);
  }
  const limits = {
    retentionMs: parseDuration(options.retention ?? '24h', '--retention'),
    maxPendingEvents: parsePositiveInt(options.maxPending ?? '10000', '--max-pending'),
    maxPendingBytes: parseSize(options.maxChannelBytes ?? env.WHCLI_RELAY_MAX_CHANNEL_BYTES ?? DEFAULT_MAX_CHANNEL_BYTES, '--max-channel-bytes'),
    maxAckedBytes: parseSize(options.keepAcked ?? env.WHCLI_RELAY_KEEP_ACKED ?? DEFAULT_KEEP_ACKED, '--keep-acked'),
    maxTotalBytes,
    maxChannels,
  };
  if (limits.maxPendingBytes < 1 || maxTotalBytes < 1) throw new UsageError('--max-channel-bytes and --max-total-bytes must be at least 1 byte');
  const channelIdleMs = parseDuration(options.channelIdle ?? env.WHCLI_RELAY_CHANNEL_IDLE ?? DEFAULT_CHANNEL_IDLE, '--channel-idle');
  const channelRate = options.channelRate ?? env.WHCLI_RELAY_CHANNEL_RATE ?? DEFAULT_CHANNEL_RATE;
  // A minute's worth at once (at least 10): a team starting listeners together is not refused.
  const channelCreateLimit = parseRateLimit(channelRate, undefined, { flag: '--channel-rate', burstSeconds: 60, minBurst: 10 });
  const rateLimit = parseRateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT, options.rateBurst);
  const maxListeners = Number(options.maxListeners ?? DEFAULT_MAX_LISTENERS);
  if (!Number.isInteger(maxListeners) || maxListeners < 0) {
    throw new UsageError(`--max-listeners must be a whole number (0 for no cap), got "${options.maxListeners}"`);
  }
  const maxBodyBytes = parseSize(options.maxBody ?? '5mb', '--max-body');
  const respondTimeoutMs = parseDuration(options.respondTimeout ?? '30s', '--respond-timeout');
  const host = options.host ?? '127.0.0.1';
  const keyMode: KeyMode = options.open ? 'open' : isLoopbackHost(host) ? 'auto' : 'required';
  const keyCreateLimit = parseRateLimit(options.keyRate ?? env.WHCLI_RELAY_KEY_RATE ?? DEFAULT_CHANNEL_RATE, undefined, { flag: '--key-rate', burstSeconds: 60, minBurst: 10 });
  const maxChannelsPerKey = Number(options.maxChannelsPerKey ?? env.WHCLI_RELAY_MAX_CHANNELS_PER_KEY ?? DEFAULT_MAX_CHANNELS_PER_KEY);
  if (!Number.isInteger(maxChannelsPerKey) || maxChannelsPerKey < 0) {
    throw new UsageError(`--max-channels-per-key must be a whole number (0 for no cap), got "${options.maxChannelsPerKey}"`);
  }
  const tls = await readTlsFiles(options.tlsCert, options.tlsKey);
  // Off unless asked: stderr stays for what the operator must act on.
  const logFormat = options.logFormat ?? env.WHCLI_RELAY_LOG_FORMAT ?? 'none';
  if (!['text', 'json', 'none'].includes(logFormat)) throw new UsageError(`--log-format must be text, json or none, got "${logFormat}"`);
  const onRequest = deps.onRequest;
  const requestLog = logFormat === 'none' || !onRequest ? undefined : (entry: RequestLogEntry) => onRequest(entry, logFormat as 'text' | 'json');
  const spec = options.store ?? deps.environment.env.WHCLI_RELAY_STORE ?? 'file';
  const { store, description } = await openStore(spec, {
    defaultDir: join(whcliPaths(deps.environment).data, 'relay'),
    limits,
    fsync: options.fsync as 'always' | 'never' | undefined,
    log: deps.log,
  });
  let relay;
  try {
    relay = await startRelay({
      host: options.host ?? '127.0.0.1',
      port,
      publicUrl: options.publicUrl,
      maxBodyBytes,
      respondWith: options.respondWith as 'ok' | 'handler' | undefined,
      respondTimeoutMs,
      store,
      rateLimit,
      maxListenersPerChannel: maxListeners,
      // Bodies being received count apart from what is stored: a quarter of the total on top of it.
      maxInflightBytes: Math.max(maxBodyBytes, Math.floor(maxTotalBytes / 4)),
      channelIdleMs,
      channelCreateLimit,
      keyMode,
      keyCreateLimit,
      maxChannelsPerKey,
      tls,
      requestLog,
    });
  } catch (error) {
    await store.close();
    throw new WhcliError('WHCLI_ERR_RELAY', `cannot listen on ${options.host ?? '127.0.0.1'}:${port}: ${(error as Error).message}`);
  }
  deps.onListening({ url: relay.url, host: relay.address.host, port: relay.address.port, store: description, keys: keyMode, access: describeKeyMode(keyMode) });
  // A renewed certificate is served to new connections without a restart; a bad one keeps the old.
  const stopReloading = tls
    ? deps.onReloadRequest?.(() => {
        void readTlsFiles(options.tlsCert, options.tlsKey)
          .then((renewed) => {
            relay.reloadTls(renewed!);
            deps.log?.(`reloaded the certificate from ${options.tlsCert}`);
          })
          .catch((error: unknown) => deps.log?.(`certificate not reloaded, still serving the previous one: ${(error as Error).message}`));
      })
    : undefined;
  await new Promise<void>((resolve) => {
    if (deps.signal.aborted) return resolve();
    deps.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  stopReloading?.();
  await relay.close();
}
