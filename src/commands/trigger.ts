import { setTimeout as sleepFor } from 'node:timers/promises';
import { type Environment, loadContext, resolveProviderSecret, optionalSecret } from '../context.js';
import type { DeliveryResult } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';
import { parseDuration } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { loadFixture } from '../fixtures/load.js';
import { renderEvent } from '../fixtures/render-event.js';
import { chosenApiVersion, withApiVersion } from '../providers/api-version.js';
import { handshakeFor, handshakeStakes, type Handshake } from '../providers/handshakes.js';
import { retryDelays, retryHeaders, stopSignal } from '../providers/retry-schedule.js';
import { signRequest } from '../providers/sign.js';
import type { ProviderSpec } from '../providers/types.js';
import { whcliPaths } from '../paths.js';
import { belongsHere, chooseListener, listRunningListeners, type ListenerRecord } from '../tunnel/running-listeners.js';
import { RESPOND_HEADER } from '../relay/protocol.js';
import { answerFailure, whoAnswered, type AnsweredBy } from './answered-by.js';
import { withRouteTarget } from './route-options.js';
import { parseHeaderFlag, readDataFlag } from './shared-options.js';

export interface TriggerOptions {
  event: string;
  provider?: string;
  forward?: string;
  secret?: string;
  set?: string[];
  setNew?: string[];
  data?: string;
  apiVersion?: string;
  header?: string[];
  timeout?: string;
  dryRun?: boolean;
  retries?: boolean;
  retryMode?: string;
  timeScale?: string;
  config?: string;
  /** The running listener to send through: its pid or channel id. */
  listener?: string;
  /** Accept the target's TLS certificate unchecked (a local handler's self-signed one). */
  insecure?: boolean;
  /** The URL URL-signing schemes sign (Twilio, Square, HubSpot); defaults to the URL sent to. */
  publicUrl?: string;
  /** A route of whcli.config.json: its provider, handler and secret. */
  route?: string;
}

export interface TriggerAttempt {
  attempt: number;
  /** Milliseconds waited before this attempt (0 for the first). */
  waitedMs: number;
  result: DeliveryResult;
  answeredBy?: AnsweredBy;
  /** Why the listener or relay answered as it did, in its own words. */
  reason?: string;
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
  /** The running listener the event went through. */
  listener?: ListenerRecord;
  /** The handler's answer that ended the retries as the provider would (e.g. "X-Slack-No-Retry: 1"). */
  stoppedBy?: string;
  /** When the event named the provider's verification handshake: whether the answer completes it. */
  handshake?: { ok: boolean; expected: string; reason?: string; stakes: string };
}

export interface TriggerDeps {
  environment: Environment;
  /** Called once the target is known, before the first attempt. */
  onStart?: (head: { provider: string; event: string; eventId: string; url: string; listener?: ListenerRecord }) => void;
  /** Called as each attempt finishes, before any wait for the next. */
  onAttempt?: (attempt: TriggerAttempt, nextDelayMs: number | undefined) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Aborted on Ctrl-C: a retry wait or a request under way ends at once. */
  signal?: AbortSignal;
}

const abortableSleep = (signal?: AbortSignal) => (ms: number) => sleepFor(ms, undefined, { signal });

interface Target {
  url: URL;
  via: TriggerResult['via'];
  listener?: ListenerRecord;
}

/** --forward, else the running listener of this project, else the config's forward. */
export async function chooseTarget(
  options: TriggerOptions,
  deps: TriggerDeps,
  context: Awaited<ReturnType<typeof loadContext>>,
): Promise<Target> {
  const forward = options.forward ?? deps.environment.env.WHCLI_FORWARD;
  if (options.listener !== undefined && options.forward !== undefined) throw new UsageError('--listener and --forward both say where to send: give one');
  if (forward && options.listener === undefined) return { url: parseTarget(forward), via: 'forward' };
  const records = await listRunningListeners(whcliPaths(deps.environment).state);
  const wanted = {
    cwd: deps.environment.cwd,
    config: context.configPath,
    pick: options.listener,
    provider: options.provider ?? deps.environment.env.WHCLI_PROVIDER,
    providersWithEvent: context.catalogue.providers.filter((p) => p.events.some((e) => e.name === options.event)).map((p) => p.name),
  };
  const configForward = context.config?.forward;
  // A listener of another project is no reason to ignore this project's own forward.
  if (configForward && options.listener === undefined && !records.some((r) => belongsHere(r, wanted))) {
    return { url: parseTarget(configForward, 'forward in whcli.config.json'), via: 'config' };
  }
  const listener = chooseListener(records, wanted);
  if (listener) return { url: new URL(listener.url), via: 'listener', listener };
  if (configForward) return { url: parseTarget(configForward, 'forward in whcli.config.json'), via: 'config' };
  throw new UsageError('nowhere to send: pass --forward (e.g. --forward localhost:3000/webhooks) or start `whcli listen`');
}

/** Renders, signs and sends one fixture event, retrying on the provider's schedule when asked. */
export async function trigger(options: TriggerOptions, deps: TriggerDeps): Promise<TriggerResult> {
  if (options.route !== undefined) options = await withRouteTarget(options, deps.environment);
  const context = await loadContext(deps.environment, options.config);
  const { config, catalogue } = context;
  // An unknown event or provider is the first thing to say, before any listener is looked for.
  const explicitProvider = options.provider ?? deps.environment.env.WHCLI_PROVIDER;
  const handshake = explicitProvider ? handshakeNamed(options.event, catalogue.provider(explicitProvider)) : undefined;
  if (handshake) checkHandshakeOptions(options);
  else if (explicitProvider) catalogue.resolveEvent(options.event, explicitProvider);
  else if (!catalogue.providers.some((p) => p.events.some((e) => e.name === options.event))) catalogue.resolveEvent(options.event);
  const target = options.dryRun ? undefined : await chooseTarget(options, deps, context);
  const listener = target?.listener;
  // Through a listener the event takes the listener's provider: it re-signs as that one anyway.
  const providerHint = explicitProvider ?? (listener?.provider || undefined) ?? inferFromConfig(config?.provider, options.event, catalogue);
  const resolved = handshake ? { provider: catalogue.provider(explicitProvider!), event: { name: handshake.name } } : catalogue.resolveEvent(options.event, providerHint);
  const { event } = resolved;
  const provider = withApiVersion(resolved.provider, chosenApiVersion(options.apiVersion, resolved.provider, deps.environment));
  // A re-signing listener replaces the signature: no secret of our own is needed then.
  const secret = listener?.resign ? optionalSecret(options.secret, deps.environment, config) : resolveProviderSecret(provider, options.secret, deps.environment, config);
  const extraHeaders = (options.header ?? []).map(parseHeaderFlag);
  const data = options.data !== undefined ? await readDataFlag(options.data) : undefined;
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : provider.timeoutMs;
  const timeScale = options.timeScale ? Number(options.timeScale) : 1;
  if (!(timeScale > 0)) throw new UsageError(`--time-scale must be a positive number, got "${options.timeScale}"`);
  const delays = options.retries ? retryDelays(provider, options.retryMode) : [];
  // --data stands in for the fixture, so a config provider without fixture files can still send.
  const challenge = handshake?.request();
  const rendered = challenge
    ? { provider: provider.name, event: event.name, eventId: challenge.eventId, body: challenge.body, headers: challenge.headers }
    : renderEvent(provider, event.name, data !== undefined && !provider.envelope.dataPath ? undefined : await loadFixture(provider, event.name), { data, set: options.set, setNew: options.setNew });

  const publicUrl = options.publicUrl ?? deps.environment.env.WHCLI_PUBLIC_URL ?? config?.signatureUrl;
  let sentBody = rendered.body;
  const sign = (to?: URL) => {
    const signed = secret === undefined ? { headers: {}, body: rendered.body } : signRequest(provider, { body: rendered.body, secret, eventId: rendered.eventId, url: publicUrl ?? to?.toString() });
    sentBody = signed.body;
    const headers: Record<string, string> = { ...rendered.headers, ...signed.headers };
    for (const [name, value] of extraHeaders) {
      // --header replaces a header of the same name in any case; two would reach the handler otherwise.
      for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
      headers[name] = value;
    }
    return headers;
  };

  const base = { provider: provider.name, event: event.name, eventId: rendered.eventId, method: 'POST' as const, body: rendered.body.toString('utf8') };
  if (!target) {
    const to = options.forward ? parseTarget(options.forward) : undefined;
    const headers = sign(to);
    return { ...base, body: sentBody.toString('utf8'), url: to?.toString() ?? '(not sent)', via: 'dry-run', headers, attempts: [], ok: true };
  }

  const { url, via } = target;
  deps.onStart?.({ ...base, url: url.toString(), listener });
  const sleep = deps.sleep ?? abortableSleep(deps.signal);
  const attempts: TriggerAttempt[] = [];
  let headers = sign(url);
  // Loaded only to send: undici is most of a dry run's start-up otherwise.
  const { sendRequest, closeDeliveryPool, proxySettings, useProxy } = await import('../delivery/send.js');
  useProxy(proxySettings(deps.environment.env));
  let stoppedBy: string | undefined;
  try {
    for (let index = 0; index <= delays.length; index++) {
      const waitedMs = index === 0 ? 0 : Math.round(delays[index - 1]! / timeScale);
      if (waitedMs > 0) await sleep(waitedMs);
      // Retries keep the event id but carry a fresh signature timestamp, as providers do, and the
      // provider's retry headers (Slack's X-Slack-Retry-Num / -Reason).
      if (index > 0) headers = { ...sign(url), ...retryHeaders(provider, index, attempts[index - 1]!.result) };
      // Through a listener, ask its relay for the handler's answer rather than the relay's own 200.
      const sent = via === 'listener' ? { ...headers, [RESPOND_HEADER]: 'handler' } : headers;
      const result = await sendRequest({ url, method: 'POST', headers: sent, body: sentBody, timeoutMs, signal: deps.signal, insecure: options.insecure === true });
      if (deps.signal?.aborted) throw deps.signal.reason;
      const attempt: TriggerAttempt = { attempt: index + 1, waitedMs, result, ...(via === 'listener' ? whoAnswered(result) : result.status !== undefined ? { answeredBy: 'handler' } : {}) };
      attempts.push(attempt);
      stoppedBy = result.ok ? undefined : stopSignal(provider, result);
      const more = !result.ok && !stoppedBy && index < delays.length;
      deps.onAttempt?.(attempt, more ? Math.round(delays[index]! / timeScale) : undefined);
      if (result.ok || stoppedBy || result.error?.kind === 'dns') break;
    }
  } finally {
    await closeDeliveryPool();
  }
  const last = attempts[attempts.length - 1]!;
  const answer = handshake && challenge && last.result.status !== undefined ? handshake.judge({ status: last.result.status, body: last.result.body ?? '' }, challenge.challenge, secret ?? '') : undefined;
  const handshaken = answer && handshake ? { handshake: { ok: answer.ok, expected: handshake.expected, stakes: handshakeStakes(provider, handshake), ...(answer.ok ? {} : { reason: answer.reason }) } } : {};
  const ok = answer ? answer.ok : last.result.ok;
  return { ...base, body: sentBody.toString('utf8'), url: url.toString(), via, headers, attempts, ok, ...(listener ? { listener } : {}), ...(stoppedBy ? { stoppedBy } : {}), ...handshaken };
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

/** The provider's handshake when `event` names it, e.g. "url_verification" for Slack. */
function handshakeNamed(event: string, provider: ProviderSpec): Handshake | undefined {
  const handshake = handshakeFor(provider);
  return handshake?.name.toLowerCase() === event.toLowerCase() ? handshake : undefined;
}

/** A handshake is built by whcli with a fresh challenge: fixture edits and retries do not apply. */
function checkHandshakeOptions(options: TriggerOptions): void {
  const flag = options.data !== undefined ? '--data' : options.set?.length ? '--set' : options.setNew?.length ? '--set-new' : options.retries ? '--retries' : undefined;
  if (flag) throw new UsageError(`${flag} does not apply to ${options.event}: whcli builds the handshake with a fresh challenge and sends it once; leave ${flag} out`);
}

/** The error main.ts reports when the last attempt failed: it names the part that answered. */
export function triggerFailure(result: TriggerResult): WhcliError {
  if (result.handshake && !result.handshake.ok) {
    return new WhcliError(
      'WHCLI_ERR_CHECKS_FAILED',
      `${result.event}: ${result.handshake.reason}: ${result.handshake.stakes}`,
    );
  }
  const failure = answerFailure(result.attempts[result.attempts.length - 1]!);
  if (!result.stoppedBy || failure.code !== 'WHCLI_ERR_NON_2XX') return failure;
  return new WhcliError(failure.code, `${failure.message} with ${result.stoppedBy}: ${result.provider} would not retry it`);
}
