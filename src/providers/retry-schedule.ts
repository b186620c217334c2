import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import type { ProviderSpec, RetryStep } from './types.js';

/** The delays (ms) before each retry, in order, for a provider and retry mode. */
export function retryDelays(provider: ProviderSpec, mode?: string): number[] {
  let steps = provider.retries;
  if (mode && mode !== 'live') {
    const alt = provider.retryModes?.[mode];
    if (!alt) {
      const modes = ['live', ...Object.keys(provider.retryModes ?? {})].join(', ');
      throw new UsageError(`provider ${provider.name} has no retry mode "${mode}" (modes: ${modes})`);
    }
    steps = alt;
  }
  return steps.flatMap((step) => Array.from({ length: step.count }, () => parseDuration(step.delay)));
}

/** "3: 1m, 5m, 15m" or "75: 3m x3, 1h x72"-style summary of the live schedule. */
export function describeRetries(provider: ProviderSpec): string {
  return describeSteps(provider.retries);
}

function describeSteps(steps: readonly RetryStep[]): string {
  if (steps.length === 0) return 'none';
  const total = steps.reduce((n, s) => n + s.count, 0);
  const parts = steps.map((s) => (s.count > 1 ? `${s.delay} x${s.count}` : s.delay));
  return `${total}: ${parts.join(', ')}`;
}

/** The live schedule, then every other mode by name: "75: 3m x3, 1h x72; test 72: 1h x72". */
export function describeRetryModes(provider: ProviderSpec): string {
  const others = Object.entries(provider.retryModes ?? {}).map(([mode, steps]) => `${mode} ${describeSteps(steps)}`);
  return [describeRetries(provider), ...others].join('; ');
}

/** What a retry decision needs from an answer: its status and headers, or why there was none. */
export interface RetryResponse {
  status?: number;
  /** Lower- or any-case names; repeated headers as arrays. */
  headers?: Record<string, string | string[] | undefined>;
  error?: { kind: string };
}

/** Every retry schedule of a provider by mode, "live" first (for --retry-mode and `providers --json`). */
export function retryModes(provider: ProviderSpec): Record<string, RetryStep[]> {
  return { live: provider.retries, ...provider.retryModes };
}

const headerOf = (response: RetryResponse, name: string): string[] => {
  const entry = Object.entries(response.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  const value = entry?.[1];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
};

/**
 * Whether the provider would stop retrying after this answer: a 2xx, or an answer its
 * retrySignals.stopOn names (Slack's `X-Slack-No-Retry: 1`, Svix's `webhook-delivery: abort-message`).
 */
export function shouldStopRetrying(provider: ProviderSpec, response: RetryResponse): boolean {
  if (response.status !== undefined && response.status >= 200 && response.status < 300) return true;
  return stopSignal(provider, response) !== undefined;
}

/** The stopOn entry this answer matches, for reports ("X-Slack-No-Retry: 1"), or undefined. */
export function stopSignal(provider: ProviderSpec, response: RetryResponse): string | undefined {
  for (const stop of provider.retrySignals?.stopOn ?? []) {
    if (stop.status !== undefined) {
      if (response.status === stop.status) return `status ${stop.status}`;
    } else if (headerOf(response, stop.header).some((v) => v.trim().toLowerCase() === stop.value.toLowerCase())) {
      return `${stop.header}: ${stop.value}`;
    }
  }
  return undefined;
}

/**
 * Why an attempt failed, in Slack's words (the X-Slack-Retry-Reason values): http_timeout,
 * connection_failed, http_error or unknown_error.
 */
export function retryReason(response: RetryResponse): string {
  if (response.error?.kind === 'timeout') return 'http_timeout';
  if (response.error && ['refused', 'reset', 'dns'].includes(response.error.kind)) return 'connection_failed';
  if (response.status !== undefined) return 'http_error';
  return 'unknown_error';
}

/**
 * The headers retry number `retryNum` (1 = first retry) carries, after an attempt that failed
 * with `previous`; empty for the first attempt and for providers that mark no retries.
 */
export function retryHeaders(provider: ProviderSpec, retryNum: number, previous: RetryResponse | undefined): Record<string, string> {
  if (retryNum < 1 || !previous) return {};
  const reason = retryReason(previous);
  return Object.fromEntries(
    Object.entries(provider.retrySignals?.headers ?? {}).map(([name, value]) => [
      name,
      value.replaceAll('{{retry_num}}', String(retryNum)).replaceAll('{{retry_reason}}', reason),
    ]),
  );
}
