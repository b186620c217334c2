import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import type { ProviderSpec } from './types.js';

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

/** "3 retries: 1m, 5m, 15m" or "4 retries: 3m x3, 1h x72"-style summary. */
export function describeRetries(provider: ProviderSpec): string {
  if (provider.retries.length === 0) return 'none';
  const total = provider.retries.reduce((n, s) => n + s.count, 0);
  const parts = provider.retries.map((s) => (s.count > 1 ? `${s.delay} x${s.count}` : s.delay));
  return `${total}: ${parts.join(', ')}`;
}
