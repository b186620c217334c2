import type { DeliveryResult } from '../delivery/send.js';
import { retryDelays, stopSignal } from '../providers/retry-schedule.js';
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

/** Why the provider would stop retrying after this answer (its documented stop signals), or undefined. */
export function stopRetrying(provider: ProviderSpec | undefined, result: DeliveryResult): string | undefined {
  if (!provider || result.ok) return undefined;
  const signal = stopSignal(provider, result);
  return signal && `the handler answered ${signal}: ${provider.name} stops retrying`;
}
