import { setTimeout as sleepFor } from 'node:timers/promises';
import { type Environment, loadContext, resolveSecret } from '../context.js';
import type { DeliveryResult } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';
import { parseDuration } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { loadFixture } from '../fixtures/load.js';
import { renderEvent } from '../fixtures/render-event.js';
import { retryDelays } from '../providers/retry-schedule.js';
import { signatureHeaders } from '../providers/sign.js';
import { whcliPaths } from '../paths.js';
import { findRunningListener } from '../tunnel/running-listeners.js';
import { RESPOND_HEADER } from '../relay/protocol.js';
import { withRouteTarget } from './route-options.js';
import { parseHeaderFlag, readDataFlag } from './shared-options.js';

export interface TriggerOptions {
  event: string;
  provider?: string;
  forward?: string;
  secret?: string;
  set?: string[];
  data?: string;
  header?: string[];
  timeout?: string;
  dryRun?: boolean;
  retries?: boolean;
  retryMode?: string;
  timeScale?: string;
  config?: string;
  /** A route of whcli.config.json: its provider, handler and secret. */
  route?: string;
}

export interface TriggerAttempt {
  attempt: number;
  /** Milliseconds waited before this attempt (0 for the first). */
  waitedMs: number;
  result: DeliveryResult;
}

export interface TriggerResult {
  provider: string;
  event: string;
  eventId: string;
  url: string;
  /** How the target was chosen. */
  via: 'forward' | 'listener' | 'config' | 'dry-run';
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  attempts: TriggerAttempt[];
  ok: boolean;
}

export interface TriggerDeps {
  environment: Environment;
  /** Called once the target is known, before the first attempt. */
  onStart?: (head: { provider: string; event: string; eventId: string; url: string }) => void;
  /** Called as each attempt finishes, before any wait for the next. */
  onAttempt?: (attempt: TriggerAttempt, nextDelayMs: number | undefined) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Aborted on Ctrl-C: a retry wait or a request under way ends at once. */
  signal?: AbortSignal;
}

const abortableSleep = (signal?: AbortSignal) => (ms: number) => sleepFor(ms, undefined, { signal });

async function chooseTarget(
  options: TriggerOptions,
  deps: TriggerDeps,
  configForward: string | undefined,
): Promise<{ url: URL; via: TriggerResult['via'] }> {
  if (options.forward) return { url: parseTarget(options.forward), via: 'forward' };
  const listener = await findRunningListener(whcliPaths(deps.environment).state);
  if (listener) return { url: new URL(listener.url), via: 'listener' };
  if (configForward) return { url: parseTarget(configForward, 'forward in whcli.config.json'), via: 'config' };
  throw new UsageError('nowhere to send: pass --forward (e.g. --forward localhost:3000/webhooks) or start `whcli listen`');
}

/** Renders, signs and sends one fixture event, retrying on the provider's schedule when asked. */
export async function trigger(options: TriggerOptions, deps: TriggerDeps): Promise<TriggerResult> {
  if (options.route !== undefined) options = await withRouteTarget(options, deps.environment);
  const { config, catalogue } = await loadContext(deps.environment, options.config);
  const { provider, event } = catalogue.resolveEvent(options.event, options.provider ?? inferFromConfig(config?.provider, options.event, catalogue));
  const secret = resolveSecret(options.secret, deps.environment, config);
  const extraHeaders = (options.header ?? []).map(parseHeaderFlag);
  const data = options.data !== undefined ? await readDataFlag(options.data) : undefined;
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : provider.timeoutMs;
  const timeScale = options.timeScale ? Number(options.timeScale) : 1;
  if (!(timeScale > 0)) throw new UsageError(`--time-scale must be a positive number, got "${options.timeScale}"`);
  const delays = options.retries ? retryDelays(provider, options.retryMode) : [];
  const fixture = await loadFixture(provider, event.name);
  const rendered = renderEvent(provider, event.name, fixture, { data, set: options.set });

  const sign = () => {
    const headers: Record<string, string> = {
      ...rendered.headers,
      ...signatureHeaders(provider, { body: rendered.body, secret, eventId: rendered.eventId }),
    };
    for (const [name, value] of extraHeaders) {
      // --header replaces a header of the same name in any case; two would reach the handler otherwise.
      for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
      headers[name] = value;
    }
    return headers;
  };

  const base = { provider: provider.name, event: event.name, eventId: rendered.eventId, method: 'POST' as const, body: rendered.body.toString('utf8') };
  if (options.dryRun) {
    const url = options.forward ? parseTarget(options.forward).toString() : '(not sent)';
    return { ...base, url, via: 'dry-run', headers: sign(), attempts: [], ok: true };
  }

  const { url, via } = await chooseTarget(options, deps, config?.forward);
  deps.onStart?.({ ...base, url: url.toString() });
  const sleep = deps.sleep ?? abortableSleep(deps.signal);
  const attempts: TriggerAttempt[] = [];
  let headers = sign();
  // Loaded only to send: undici is most of a dry run's start-up otherwise.
  const { sendRequest, closeDeliveryPool } = await import('../delivery/send.js');
  try {
    for (let index = 0; index <= delays.length; index++) {
      const waitedMs = index === 0 ? 0 : Math.round(delays[index - 1]! / timeScale);
      if (waitedMs > 0) await sleep(waitedMs);
      // Retries keep the event id but carry a fresh signature timestamp, as providers do.
      if (index > 0) headers = sign();
      // Through a listener, ask its relay for the handler's answer rather than the relay's own 200.
      const sent = via === 'listener' ? { ...headers, [RESPOND_HEADER]: 'handler' } : headers;
      const result = await sendRequest({ url, method: 'POST', headers: sent, body: rendered.body, timeoutMs, signal: deps.signal });
      if (deps.signal?.aborted) throw deps.signal.reason;
      const attempt = { attempt: index + 1, waitedMs, result };
      attempts.push(attempt);
      const more = !result.ok && index < delays.length;
      deps.onAttempt?.(attempt, more ? Math.round(delays[index]! / timeScale) : undefined);
      if (result.ok || result.error?.kind === 'dns') break;
    }
  } finally {
    await closeDeliveryPool();
  }
  const last = attempts[attempts.length - 1]!;
  return { ...base, url: url.toString(), via, headers, attempts, ok: last.result.ok };
}

/** Uses the config's provider only when it actually has the event. */
function inferFromConfig(
  configProvider: string | undefined,
  eventName: string,
  catalogue: Awaited<ReturnType<typeof loadContext>>['catalogue'],
): string | undefined {
  if (!configProvider) return undefined;
  const provider = catalogue.providers.find((p) => p.name === configProvider);
  return provider?.events.some((e) => e.name === eventName) ? configProvider : undefined;
}

/** The error main.ts reports when the last attempt failed. */
export function triggerFailure(result: TriggerResult): WhcliError {
  const last = result.attempts[result.attempts.length - 1]!.result;
  if (last.error) {
    const code = last.error.kind === 'timeout' ? 'WHCLI_ERR_TIMEOUT' : 'WHCLI_ERR_UNREACHABLE';
    return new WhcliError(code, last.error.message);
  }
  return new WhcliError('WHCLI_ERR_NON_2XX', `handler answered ${last.status}`);
}
