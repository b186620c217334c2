/**
 * The per-channel token bucket behind `whcli relay --rate-limit` (src/relay/rate-limit.ts), on a fake
 * clock, and the parsing of --rate-limit / --rate-burst.
 */
import { describe, expect, it } from 'vitest';
import { parseRateLimit } from '../../../src/commands/relay.js';
import { UsageError } from '../../../src/errors.js';
import { RateLimiter } from '../../../src/relay/rate-limit.js';

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('lets a burst through, then one request per 1/rate seconds', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 3 }, time.now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1); // a token is back in 100 ms: Retry-After rounds up to 1 s
    time.advance(99);
    expect(limiter.take('a')).toBeGreaterThan(0);
    time.advance(1);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('keeps one bucket per channel: a flood on one leaves the others their full burst', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, time.now);
    for (let i = 0; i < 100; i++) limiter.take('flooded');
    expect(limiter.take('flooded')).toBeGreaterThan(0);
    expect([limiter.take('quiet'), limiter.take('quiet')]).toEqual([0, 0]);
  });

  it('never holds more than the burst, however long a channel was idle', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 100, burst: 5 }, time.now);
    limiter.take('a');
    time.advance(3_600_000);
    const results = Array.from({ length: 6 }, () => limiter.take('a'));
    expect(results.filter((r) => r === 0)).toHaveLength(5);
  });

  it('tells how long until a token is back, in whole seconds', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 0.1, burst: 1 }, time.now);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(10);
    time.advance(5_500);
    expect(limiter.take('a')).toBe(5);
  });

  it('forgets buckets that are full again, so idle channels cost no memory', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 1000, burst: 1 }, time.now);
    for (let i = 0; i < 3000; i++) limiter.take(`ch_${i}`);
    expect(limiter.size).toBe(3000);
    time.advance(1000);
    limiter.take('fresh');
    expect(limiter.size).toBe(1);
  });
});

describe('--rate-limit and --rate-burst', () => {
  it.each([
    ['100/s', undefined, { perSecond: 100, burst: 200 }],
    ['100', undefined, { perSecond: 100, burst: 200 }],
    ['600/m', undefined, { perSecond: 10, burst: 20 }],
    ['30/min', '5', { perSecond: 0.5, burst: 5 }],
    ['0.2/s', undefined, { perSecond: 0.2, burst: 1 }],
    [' 5 / s ', '1', { perSecond: 5, burst: 1 }],
  ])('%s with burst %s', (rate, burst, expected) => {
    expect(parseRateLimit(rate, burst)).toEqual(expected);
  });

  it('"0" turns the limit off', () => {
    expect(parseRateLimit('0', undefined)).toBeUndefined();
    expect(parseRateLimit('0/s', undefined)).toBeUndefined();
  });

  it.each([
    ['fast', undefined],
    ['-5/s', undefined],
    ['5/h', undefined],
    ['10/s', '0'],
    ['10/s', '2.5'],
    ['0', '10'],
  ])('refuses %s (burst %s) with a usage error', (rate, burst) => {
    expect(() => parseRateLimit(rate, burst)).toThrow(UsageError);
  });
});
