import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Environment, loadContext, optionalSecret, resolveSecret } from '../context.js';
import type { DeliveryResult } from '../delivery/send.js';
import { joinTarget, parseTarget } from '../delivery/target.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { nearestNames } from '../providers/catalogue.js';
import { whcliPaths } from '../paths.js';
import { buildForwardRequest, forwardableHeaders, pathLeavesBase } from '../tunnel/forward.js';
import { RESPOND_HEADER } from '../relay/protocol.js';
import { chooseListener, listRunningListeners, type ListenerRecord } from '../tunnel/running-listeners.js';
import { answerFailure, whoAnswered, type AnsweredBy } from './answered-by.js';
import { History, type HistoryEntry } from '../tunnel/history.js';
import { keptHeaders, RECORDED_FORMAT, type RecordedEvent } from '../verify/recorded-event.js';
import { Scrubber, type ScrubCounts } from '../verify/scrub.js';
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
  /** The running listener to send through: its pid or channel id. */
  listener?: string;
}

export interface ReplayResult {
  id: string;
  url: string;
  eventType?: string;
  /** Signed here, or sent through a running listener that re-signs it with its own secret. */
  via: 'forward' | 'listener';
  listener?: ListenerRecord;
  result: DeliveryResult;
  answeredBy?: AnsweredBy;
  reason?: string;
}

/**
 * Sends a recorded event again, with the same bytes and a fresh signature: signed here when a secret
 * is at hand (--secret, WHCLI_SECRET, the config), else through this project's running listener.
 */
export async function replay(id: string, options: ReplayOptions, deps: { environment: Environment }): Promise<ReplayResult> {
  const entries = await new History(whcliPaths(deps.environment).data).list();
  const entry = entries.findLast((e) => e.id === id || e.eventId === id);
  if (!entry) {
    const near = nearestNames(id, entries.map((e) => e.id));
    throw new UsageError(`no event "${id}" in history${near.length ? `: did you mean ${near.join(', ')}?` : ' (see `whcli history`)'}`);
  }
  const { config, catalogue, configPath } = await loadContext(deps.environment, options.config);
  const providerName = options.provider ?? entry.provider;
  const provider = providerName ? catalogue.provider(providerName) : undefined;
  const resign = options.resign !== false && provider !== undefined;
  if (!options.forward && !entry.forward) throw new UsageError(`event "${id}" was not forwarded (${entry.report.error?.message ?? 'unrouted'}): give --forward to replay it`);
  if (options.forward) {
    // A recorded path that climbs out of a new --forward is refused, as the listener refuses it.
    const escape = pathLeavesBase(parseTarget(options.forward), entry.path);
    if (escape) throw new UsageError(`not replaying "${id}": ${escape}`, 'WHCLI_ERR_BAD_URL');
  }
  const event = { ...entry, body: Buffer.from(entry.body, 'base64') };
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : (provider?.timeoutMs ?? 30_000);
  let secret = resign ? optionalSecret(options.secret, deps.environment, config) : undefined;
  let listener: ListenerRecord | undefined;
  if (resign && (secret === undefined || options.listener !== undefined) && options.forward === undefined) {
    const records = await listRunningListeners(whcliPaths(deps.environment).state);
    listener = chooseListener(records, { cwd: deps.environment.cwd, config: configPath, pick: options.listener, provider: provider!.name });
    if (listener && !listener.resign) listener = undefined;
  }
  if (resign && !listener) secret = resolveSecret(options.secret, deps.environment, config);
  let request;
  if (listener) {
    // The listener strips the old signature and signs afresh with its own secret, as for any event.
    const headers = { ...forwardableHeaders(event.headers, new Set()), [RESPOND_HEADER]: 'handler' };
    request = { url: joinTarget(new URL(listener.url), event.path, event.query), method: event.method, headers, body: event.body, timeoutMs };
  } else {
    const forward = options.forward ? parseTarget(options.forward) : new URL(entry.forward);
    // The recorded forward URL already carries the path and query.
    const base = options.forward ? { ...event } : { ...event, path: '', query: '' };
    request = buildForwardRequest(base, { forward, provider, secret, resign, timeoutMs });
  }
  // The HTTP client loads only to send: listing and exporting history never need it.
  const { closeDeliveryPool, sendRequest } = await import('../delivery/send.js');
  try {
    const result = await sendRequest(request);
    const answer = listener ? whoAnswered(result) : {};
    const out: ReplayResult = { id: entry.id, url: request.url.toString(), eventType: entry.eventType, via: listener ? 'listener' : 'forward', result, ...answer };
    if (listener) out.listener = listener;
    if (!result.ok && result.error) throw answerFailure(out);
    return out;
  } finally {
    await closeDeliveryPool();
  }
}

export interface ExportOptions {
  /** The folder to write fixture files into; created when missing. */
  to?: string;
  /** Provider of events recorded without one (listen --no-resign). */
  provider?: string;
  config?: string;
}

export interface ExportedEvent {
  id: string;
  event: string;
  provider: string;
  file: string;
  /** Values replaced by the scrubber, by kind. */
  scrubbed: ScrubCounts;
}

/**
 * Turns recorded deliveries into fixture files for `whcli verify --from`, with secrets, tokens,
 * emails, phone numbers and card numbers scrubbed. Every id is checked before anything is written.
 */
export async function exportHistory(ids: readonly string[], options: ExportOptions, deps: { environment: Environment }): Promise<ExportedEvent[]> {
  if (!options.to) throw new UsageError('history export needs --to <dir>: the folder to write fixture files into, e.g. --to fixtures/recorded');
  if (ids.length === 0) throw new UsageError('history export needs at least one event id (see `whcli history`)');
  const entries = await new History(whcliPaths(deps.environment).data).list();
  const { catalogue } = await loadContext(deps.environment, options.config);
  const picked = ids.map((id) => {
    const entry = entries.findLast((e) => e.id === id || e.eventId === id);
    if (!entry) {
      const near = nearestNames(id, entries.map((e) => e.id));
      throw new UsageError(`no event "${id}" in history${near.length ? `: did you mean ${near.join(', ')}?` : ' (see `whcli history`)'}`);
    }
    const providerName = options.provider ?? entry.provider;
    if (!providerName) throw new UsageError(`event ${entry.id} was recorded without a provider: add --provider <name>`);
    return { entry, provider: catalogue.provider(providerName) };
  });
  const dir = resolve(deps.environment.cwd, options.to);
  await mkdir(dir, { recursive: true });
  const out: ExportedEvent[] = [];
  for (const { entry, provider } of picked) {
    const scrubber = new Scrubber();
    const raw = Buffer.from(entry.body, 'base64').toString('utf8');
    let body: unknown;
    let bodyIsText = false;
    try {
      body = scrubber.value(JSON.parse(raw));
    } catch {
      body = scrubber.string(raw);
      bodyIsText = true;
    }
    const headers = Object.fromEntries(Object.entries(keptHeaders(entry.headers, provider)).map(([name, value]) => [name, scrubber.string(value, name)]));
    const event = entry.eventType ?? 'unknown';
    const recorded: RecordedEvent = {
      format: RECORDED_FORMAT,
      provider: provider.name,
      event,
      receivedAt: new Date(entry.receivedAt).toISOString(),
      headers,
      body,
      ...(bodyIsText ? { bodyIsText } : {}),
    };
    const file = join(dir, `${event.replace(/[^A-Za-z0-9._-]+/g, '_')}.${entry.id}.json`);
    await writeFile(file, `${JSON.stringify(recorded, null, 2)}\n`);
    out.push({ id: entry.id, event, provider: provider.name, file, scrubbed: { ...scrubber.counts } });
  }
  return out;
}
