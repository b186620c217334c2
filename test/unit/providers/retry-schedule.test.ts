import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { builtinProviders } from '../../../src/providers/builtin.js';
import { describeRetries, describeRetryModes, retryDelays, retryHeaders, retryModes, shouldStopRetrying, stopSignal } from '../../../src/providers/retry-schedule.js';

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

describe('retry signals', () => {
  const slack = provider('slack');
  const svix = provider('standard-webhooks');

  it('shouldStopRetrying: a 2xx, or an answer the provider documents as "stop"', () => {
    expect(shouldStopRetrying(slack, { status: 204 })).toBe(true);
    expect(shouldStopRetrying(slack, { status: 500 })).toBe(false);
    expect(shouldStopRetrying(slack, { status: 500, headers: { 'x-slack-no-retry': '1' } })).toBe(true);
    expect(shouldStopRetrying(slack, { status: 500, headers: { 'x-slack-no-retry': '0' } })).toBe(false);
    expect(shouldStopRetrying(svix, { status: 500, headers: { 'Webhook-Delivery': 'abort-message' } })).toBe(true);
    expect(shouldStopRetrying(svix, { status: 500, headers: { 'webhook-delivery': 'disable' } })).toBe(false);
    // Not a signal this provider knows.
    expect(shouldStopRetrying(slack, { status: 500, headers: { 'webhook-delivery': 'abort-message' } })).toBe(false);
    expect(stopSignal(slack, { status: 500, headers: { 'x-slack-no-retry': ['1'] } })).toBe('X-Slack-No-Retry: 1');
  });

  it('a status in stopOn stops too (config-defined providers)', () => {
    const gone = { ...provider('lava'), retrySignals: { stopOn: [{ status: 410 }] } };
    expect(stopSignal(gone, { status: 410 })).toBe('status 410');
    expect(shouldStopRetrying(gone, { status: 404 })).toBe(false);
  });

  it('retryHeaders: none on the first attempt; Slack numbers retries from 1 with the reason', () => {
    expect(retryHeaders(slack, 0, undefined)).toEqual({});
    expect(retryHeaders(slack, 1, { status: 500 })).toEqual({ 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_error' });
    expect(retryHeaders(slack, 2, { error: { kind: 'timeout' } })).toEqual({ 'X-Slack-Retry-Num': '2', 'X-Slack-Retry-Reason': 'http_timeout' });
    expect(retryHeaders(slack, 3, { error: { kind: 'refused' } })['X-Slack-Retry-Reason']).toBe('connection_failed');
    expect(retryHeaders(svix, 1, { status: 500 })).toEqual({});
  });

  it('retryModes: live first, then the provider\'s other modes', () => {
    expect(Object.keys(retryModes(provider('paystack')))).toEqual(['live', 'test']);
    expect(Object.keys(retryModes(provider('github')))).toEqual(['live']);
    expect(describeRetryModes(provider('lahza'))).toBe('75: 3m x3, 1h x72; test 72: 1h x72');
  });
});
