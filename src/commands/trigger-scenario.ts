import { type Environment, loadContext, resolveSecret } from '../context.js';
import { closeDeliveryPool, sendRequest, type DeliveryResult } from '../delivery/send.js';
import { parseDuration } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { findScenario, renderScenario } from '../fixtures/scenario.js';
import { signatureHeaders } from '../providers/sign.js';
import { RESPOND_HEADER } from '../relay/protocol.js';
import { parseHeaderFlag } from './shared-options.js';
import { chooseTarget, type TriggerResult } from './trigger.js';

export interface ScenarioTriggerOptions {
  scenario: string;
  provider?: string;
  forward?: string;
  secret?: string;
  header?: string[];
  timeout?: string;
  dryRun?: boolean;
  config?: string;
}

/** One step of a triggered scenario; `result` is absent when it was not sent (dry run, or an earlier step failed). */
export interface ScenarioStepResult {
  step: number;
  event: string;
  eventId: string;
  headers: Record<string, string>;
  body: string;
  result?: DeliveryResult;
}

export interface ScenarioTriggerResult {
  provider: string;
  scenario: string;
  description: string;
  url: string;
  via: TriggerResult['via'];
  steps: ScenarioStepResult[];
  ok: boolean;
}

export interface ScenarioTriggerDeps {
  environment: Environment;
  signal?: AbortSignal;
  onStart?: (head: { provider: string; scenario: string; steps: number; url: string }) => void;
  /** Called as each step is answered. */
  onStep?: (step: ScenarioStepResult, total: number) => void;
}

/**
 * Sends a scenario's events in order, each signed when it is sent; stops at the first step the
 * handler does not accept, since later steps refer to what it would have stored.
 */
export async function triggerScenario(options: ScenarioTriggerOptions, deps: ScenarioTriggerDeps): Promise<ScenarioTriggerResult> {
  const context = await loadContext(deps.environment, options.config);
  const { config, catalogue } = context;
  const providerName = options.provider ?? config?.provider;
  if (!providerName) throw new UsageError(`--scenario needs --provider (one of: ${catalogue.providers.map((p) => p.name).join(', ')})`);
  const provider = catalogue.provider(providerName);
  const secret = resolveSecret(options.secret, deps.environment, config);
  const extraHeaders = (options.header ?? []).map(parseHeaderFlag);
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : provider.timeoutMs;
  const scenario = await findScenario(options.scenario, provider, config?.scenarios);
  const rendered = await renderScenario(scenario, provider);

  const sign = (index: number): Record<string, string> => {
    const { rendered: event } = rendered[index]!;
    const headers: Record<string, string> = { ...event.headers, ...signatureHeaders(provider, { body: event.body, secret, eventId: event.eventId }) };
    for (const [name, value] of extraHeaders) {
      for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
      headers[name] = value;
    }
    return headers;
  };
  const steps: ScenarioStepResult[] = rendered.map(({ index, step, rendered: event }) => ({
    step: index + 1,
    event: step.event,
    eventId: event.eventId,
    headers: {},
    body: event.body.toString('utf8'),
  }));
  const base = { provider: provider.name, scenario: scenario.name, description: scenario.description };
  if (options.dryRun) {
    steps.forEach((s, i) => (s.headers = sign(i)));
    return { ...base, url: options.forward ?? '(not sent)', via: 'dry-run', steps, ok: true };
  }

  const { url, via } = await chooseTarget({ event: '', forward: options.forward }, { environment: deps.environment }, context);
  deps.onStart?.({ ...base, steps: steps.length, url: url.toString() });
  let ok = true;
  try {
    for (const [index, step] of steps.entries()) {
      step.headers = sign(index);
      const sent = via === 'listener' ? { ...step.headers, [RESPOND_HEADER]: 'handler' } : step.headers;
      step.result = await sendRequest({ url, method: 'POST', headers: sent, body: rendered[index]!.rendered.body, timeoutMs, signal: deps.signal });
      if (deps.signal?.aborted) throw deps.signal.reason;
      deps.onStep?.(step, steps.length);
      if (!step.result.ok) {
        ok = false;
        break;
      }
    }
  } finally {
    await closeDeliveryPool();
  }
  return { ...base, url: url.toString(), via, steps, ok };
}

/** The error main.ts reports when a step was not accepted. */
export function scenarioFailure(result: ScenarioTriggerResult): WhcliError {
  const failed = result.steps.find((s) => s.result && !s.result.ok)!;
  const notSent = result.steps.filter((s) => !s.result).length;
  const what = failed.result!.error ? failed.result!.error.message : `handler answered ${failed.result!.status}`;
  const code = failed.result!.error ? (failed.result!.error.kind === 'timeout' ? 'WHCLI_ERR_TIMEOUT' : 'WHCLI_ERR_UNREACHABLE') : 'WHCLI_ERR_NON_2XX';
  return new WhcliError(code, `scenario ${result.scenario} step ${failed.step} (${failed.event}): ${what}${notSent ? `; ${notSent} later step${notSent === 1 ? '' : 's'} not sent` : ''}`);
}
