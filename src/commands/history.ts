import { type Environment, loadContext, resolveSecret } from '../context.js';
import { closeDeliveryPool, sendRequest, type DeliveryResult } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';
import { parseDuration } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { nearestNames } from '../providers/catalogue.js';
import { whcliPaths } from '../paths.js';
import { buildForwardRequest, pathLeavesBase } from '../tunnel/forward.js';
import { History, type HistoryEntry } from '../tunnel/history.js';
import { parsePositiveInt } from './shared-options.js';

/** The most recent deliveries, newest last. */
export async function listHistory(
  options: { limit?: string },
  deps: { environment: Environment },
): Promise<HistoryEntry[]> {
  const limit = options.limit ? parsePositiveInt(options.limit, '--limit') : 20;
  const entries = await new History(whcliPaths(deps.environment).data).list();
  return entries.slice(-limit);
}

export interface ReplayOptions {
  forward?: string;
  provider?: string;
  secret?: string;
  resign?: boolean;
  timeout?: string;
  config?: string;
}

export interface ReplayResult {
  id: string;
  url: string;
  eventType?: string;
  result: DeliveryResult;
}

/** Sends a recorded event again, with the same bytes and a fresh signature. */
export async function replay(id: string, options: ReplayOptions, deps: { environment: Environment }): Promise<ReplayResult> {
  const entries = await new History(whcliPaths(deps.environment).data).list();
  const entry = entries.findLast((e) => e.id === id || e.eventId === id);
  if (!entry) {
    const near = nearestNames(id, entries.map((e) => e.id));
    throw new UsageError(`no event "${id}" in history${near.length ? `: did you mean ${near.join(', ')}?` : ' (see `whcli history`)'}`);
  }
  const { config, catalogue } = await loadContext(deps.environment, options.config);
  const providerName = options.provider ?? entry.provider;
  const provider = providerName ? catalogue.provider(providerName) : undefined;
  const resign = options.resign !== false && provider !== undefined;
  const secret = resign ? resolveSecret(options.secret, deps.environment, config) : undefined;
  if (!options.forward && !entry.forward) throw new UsageError(`event "${id}" was not forwarded (${entry.report.error?.message ?? 'unrouted'}): give --forward to replay it`);
  const forward = options.forward ? parseTarget(options.forward) : new URL(entry.forward);
  // A recorded path that climbs out of a new --forward is refused, as the listener refuses it.
  const escape = options.forward ? pathLeavesBase(forward, entry.path) : undefined;
  if (escape) throw new UsageError(`not replaying "${id}": ${escape}`, 'WHCLI_ERR_BAD_URL');
  const event = { ...entry, body: Buffer.from(entry.body, 'base64') };
  // The recorded forward URL already carries the path and query.
  const base = options.forward ? { ...event } : { ...event, path: '', query: '' };
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : (provider?.timeoutMs ?? 30_000);
  const request = buildForwardRequest(base, { forward, provider, secret, resign, timeoutMs });
  try {
    const result = await sendRequest(request);
    if (!result.ok && result.error) throw new WhcliError(result.error.kind === 'timeout' ? 'WHCLI_ERR_TIMEOUT' : 'WHCLI_ERR_UNREACHABLE', result.error.message);
    return { id: entry.id, url: request.url.toString(), eventType: entry.eventType, result };
  } finally {
    await closeDeliveryPool();
  }
}
