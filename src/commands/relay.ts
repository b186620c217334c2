import { parseDuration, parseSize } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import type { Environment } from '../context.js';
import { whcliPaths } from '../paths.js';
import { openStore } from '../relay/open-store.js';
import { join } from 'node:path';
import { startRelay } from '../relay/server.js';
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
}

/** Runs `whcli relay` until `signal` aborts. */
export async function runRelay(
  options: RelayCommandOptions,
  deps: { environment: Environment; signal: AbortSignal; onListening: (info: { url: string; host: string; port: number; store: string }) => void },
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
  const limits = {
    retentionMs: parseDuration(options.retention ?? '24h', '--retention'),
    maxPendingEvents: parsePositiveInt(options.maxPending ?? '10000', '--max-pending'),
  };
  const spec = options.store ?? deps.environment.env.WHCLI_RELAY_STORE ?? 'file';
  const { store, description } = await openStore(spec, {
    defaultDir: join(whcliPaths(deps.environment).data, 'relay'),
    limits,
    fsync: options.fsync as 'always' | 'never' | undefined,
  });
  let relay;
  try {
    relay = await startRelay({
      host: options.host ?? '127.0.0.1',
      port,
      publicUrl: options.publicUrl,
      maxBodyBytes: parseSize(options.maxBody ?? '5mb', '--max-body'),
      respondWith: options.respondWith as 'ok' | 'handler' | undefined,
      respondTimeoutMs: parseDuration(options.respondTimeout ?? '30s', '--respond-timeout'),
      store,
    });
  } catch (error) {
    await store.close();
    throw new WhcliError('WHCLI_ERR_RELAY', `cannot listen on ${options.host ?? '127.0.0.1'}:${port}: ${(error as Error).message}`);
  }
  deps.onListening({ url: relay.url, host: relay.address.host, port: relay.address.port, store: description });
  await new Promise<void>((resolve) => {
    if (deps.signal.aborted) return resolve();
    deps.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await relay.close();
}
