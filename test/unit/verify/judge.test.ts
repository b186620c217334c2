import { describe, expect, it } from 'vitest';
import { judgeAccepted, judgeRejected, type BadRequest } from '../../../src/verify/judge.js';

const forged: BadRequest = { sent: 'a forged event', acceptedMeans: 'the handler does not verify signatures', crashesOn: 'bad signatures' };
const reason = (v: ReturnType<typeof judgeAccepted>) => (v.passed ? undefined : v.reason);

describe('judgeAccepted (delivery, duplicate)', () => {
  it('passes any 2xx', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(judgeAccepted({ status, latencyMs: 1 }, '10s').passed).toBe(true);
  });

  it('explains 4xx as a signature or body mismatch', () => {
    expect(reason(judgeAccepted({ status: 401, latencyMs: 1 }, '10s'))).toMatch(/same secret.*raw body/);
  });

  it('explains 5xx, redirects and timeouts', () => {
    expect(reason(judgeAccepted({ status: 500, latencyMs: 1 }, '10s'))).toMatch(/failed on a correctly signed event/);
    expect(reason(judgeAccepted({ status: 302, latencyMs: 1 }, '10s'))).toMatch(/redirect/);
    const timeout = judgeAccepted({ latencyMs: 300, error: { kind: 'timeout', message: 'x' } }, '300ms (--timeout)');
    expect(reason(timeout)).toMatch(/no response within 300ms \(--timeout\)/);
  });

  it('passes network errors through in their own words', () => {
    const refused = judgeAccepted({ latencyMs: 1, error: { kind: 'refused', message: 'connection refused by http://x' } }, '1s');
    expect(reason(refused)).toBe('connection refused by http://x');
  });
});

describe('judgeRejected (forgery, unsigned, replay)', () => {
  it('passes any 4xx', () => {
    for (const status of [400, 401, 403, 409, 422, 499]) expect(judgeRejected({ status, latencyMs: 1 }, forged, '1s').passed).toBe(true);
  });

  it('a 2xx means the handler does not verify', () => {
    expect(reason(judgeRejected({ status: 200, latencyMs: 1 }, forged, '1s'))).toBe('accepted a forged event: the handler does not verify signatures');
  });

  it('a 5xx means the handler crashes on bad signatures', () => {
    expect(reason(judgeRejected({ status: 500, latencyMs: 1 }, forged, '1s'))).toMatch(/crashes on bad signatures/);
    expect(reason(judgeRejected({ status: 503, latencyMs: 1 }, forged, '1s'))).toMatch(/crashes on bad signatures/);
  });

  it('fails redirects, timeouts and dropped connections', () => {
    expect(reason(judgeRejected({ status: 301, latencyMs: 1 }, forged, '1s'))).toMatch(/expected a 4xx/);
    expect(reason(judgeRejected({ latencyMs: 1, error: { kind: 'timeout', message: 'x' } }, forged, '1s'))).toMatch(/no response within 1s/);
    expect(reason(judgeRejected({ latencyMs: 1, error: { kind: 'reset', message: 'connection closed' } }, forged, '1s'))).toMatch(/dropped a forged event/);
  });
});
