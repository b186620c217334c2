/** src/duration.ts: the durations retry schedules, --timeout and the relay's flags are written in. */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSize } from '../../../src/duration.js';
import { UsageError } from '../../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['3m', 180_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['500', 500],
    [' 2m ', 120_000],
    ['10 s', 10_000],
    ['0', 0],
    ['0.0004s', 0],
  ])('%j -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('passes numbers through as milliseconds', () => {
    expect(parseDuration(1234)).toBe(1234);
  });

  it.each(['', 'abc', '5x', '-1s', '1 minute', '1m30s', '.5s', 's'])('rejects %j, naming the flag', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(UsageError);
    expect(() => parseDuration(text, '--timeout')).toThrow(`invalid --timeout "${text}": use e.g. 500ms, 30s, 3m, 24h`);
  });
});

describe('parseSize', () => {
  it.each([
    ['512', 512],
    ['512b', 512],
    ['1kb', 1024],
    ['5mb', 5 * 1024 ** 2],
    ['5MB', 5 * 1024 ** 2],
    ['1.5kb', 1536],
    ['1gb', 1024 ** 3],
  ])('%j -> %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'big', '5tb', '-1kb'])('rejects %j', (text) => {
    expect(() => parseSize(text, '--max-body')).toThrow(/^invalid --max-body/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [60_000, '1m'],
    [180_000, '3m'],
    [90_000, '1.5m'],
    [3_600_000, '1h'],
    [5_400_000, '1.5h'],
    [259_200_000, '72h'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips with parseDuration', () => {
    for (const text of ['250ms', '30s', '3m', '24h']) expect(formatDuration(parseDuration(text))).toBe(text);
  });
});
