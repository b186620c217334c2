import type { DeliveryResult } from '../delivery/send.js';
import { retryDelays } from '../providers/retry-schedule.js';
import type { ProviderSpec } from '../providers/types.js';

/** `listen --retries`: failed deliveries are retried here on the provider's schedule, sped up by timeScale. */
export interface LocalRetryOptions {
  /** The provider's retry mode (see `whcli providers`); default its live schedule. */
  mode?: string;
  /** Delays are divided by this: 60 makes a minute a second. */
  timeScale: number;
}

/** The waits (ms, already scaled) before each retry of a provider's failed delivery. */
export function localRetryDelays(provider: ProviderSpec | undefined, options: LocalRetryOptions): number[] {
  if (!provider) return [];
  return retryDelays(provider, options.mode).map((ms) => Math.round(ms / options.timeScale));
}

// The stop signals below are a local table keyed on the provider; a shared catalogue helper
// (one per provider's docs) is meant to replace `stopRetrying` without changing its callers.
const STOPS_ON_GONE = new Set(['standard-webhooks', 'svix']);

function responseHeader(result: DeliveryResult, name: string): string | undefined {
  const value = result.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Why the provider would stop retrying after this answer, or undefined when it would go on. */
export function stopRetrying(provider: ProviderSpec | undefined, result: DeliveryResult): string | undefined {
  if (!provider || result.ok) return undefined;
  const standard = provider.scheme.type === 'standard-webhooks' || STOPS_ON_GONE.has(provider.name);
  if (standard && result.status === 410) return `the handler answered 410 Gone: ${provider.name} stops retrying`;
  if (provider.name === 'slack' && responseHeader(result, 'x-slack-no-retry') === '1') return 'the handler answered X-Slack-No-Retry: 1';
  if (standard && responseHeader(result, 'webhook-delivery')?.toLowerCase() === 'abort-message') return 'the handler answered webhook-delivery: abort-message';
  return undefined;
}
