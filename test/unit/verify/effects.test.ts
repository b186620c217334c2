import { describe, expect, it } from 'vitest';
import { parseEffectsCount } from '../../../src/verify/effects.js';
import { percentile } from '../../../src/verify/percentile.js';

describe('parseEffectsCount', () => {
  it.each([
    ['2', 2],
    [' 0\n', 0],
    ['{"count": 3}', 3],
    ['5', 5],
    ['{"count": "3"}', undefined],
    ['{"total": 3}', undefined],
    ['1.5', undefined],
    ['ok', undefined],
  ])('%j -> %j', (body, count) => expect(parseEffectsCount(body)).toBe(count));
});

describe('percentile', () => {
  it('is the nearest-rank value', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});
