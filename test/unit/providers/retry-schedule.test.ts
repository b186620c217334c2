import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { builtinProviders } from '../../../src/providers/builtin.js';
import { describeRetries, retryDelays } from '../../../src/providers/retry-schedule.js';

const provider = (name: string) => builtinProviders.find((p) => p.name === name)!;
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('retryDelays', () => {
  it('hackmamba: 3 retries at 1, 5 and 15 minutes (its doc)', () => {
    expect(retryDelays(provider('hackmamba'))).toEqual([1 * MIN, 5 * MIN, 15 * MIN]);
  });

  it('lava: delivered once, no retries (its doc)', () => {
    expect(retryDelays(provider('lava'))).toEqual([]);
  });

  it('lahza live: 4 tries 3 minutes apart, then hourly for 72 hours (its doc)', () => {
    const delays = retryDelays(provider('lahza'));
    expect(delays.slice(0, 3)).toEqual([3 * MIN, 3 * MIN, 3 * MIN]);
    expect(delays.slice(3)).toEqual(Array.from({ length: 72 }, () => HOUR));
    expect(retryDelays(provider('lahza'), 'live')).toEqual(delays);
  });

  it('lahza test mode: hourly for 72 hours', () => {
    expect(retryDelays(provider('lahza'), 'test')).toEqual(Array.from({ length: 72 }, () => HOUR));
  });

  it('rejects a mode the provider does not have, listing the ones it has', () => {
    expect(() => retryDelays(provider('lahza'), 'sandbox')).toThrow(UsageError);
    expect(() => retryDelays(provider('lahza'), 'sandbox')).toThrow('provider lahza has no retry mode "sandbox" (modes: live, test)');
    expect(() => retryDelays(provider('lava'), 'test')).toThrow('(modes: live)');
  });

  it('every built-in schedule parses', () => {
    for (const p of builtinProviders) {
      for (const delay of retryDelays(p)) expect(delay).toBeGreaterThan(0);
      for (const mode of Object.keys(p.retryModes ?? {})) expect(retryDelays(p, mode).length).toBeGreaterThan(0);
    }
  });
});

describe('describeRetries', () => {
  it('summarises a schedule', () => {
    expect(describeRetries(provider('lava'))).toBe('none');
    expect(describeRetries(provider('hackmamba'))).toBe('3: 1m, 5m, 15m');
    expect(describeRetries(provider('lahza'))).toBe('75: 3m x3, 1h x72');
  });
});
