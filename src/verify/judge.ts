import type { CheckResponse } from './report.js';

/** Whether a response is what a correct handler answers, and if not, why it matters. */
export type Verdict = { passed: true } | { passed: false; reason: string };

const PASS: Verdict = { passed: true };
const fail = (reason: string): Verdict => ({ passed: false, reason });

/** A correctly signed event must get a 2xx in time. `limit` names the timeout, e.g. "20s (stripe's timeout)". */
export function judgeAccepted(response: CheckResponse, limit: string): Verdict {
  if (response.error) {
    if (response.error.kind === 'timeout') {
      return fail(`no response within ${limit}: the provider counts the delivery as failed; answer 2xx first, then do slow work`);
    }
    return fail(response.error.message);
  }
  const status = response.status ?? 0;
  if (status >= 200 && status < 300) return PASS;
  if (status >= 300 && status < 400) return fail('a redirect: providers do not follow redirects, point --forward at the final URL');
  if (status >= 400 && status < 500) {
    return fail('a correctly signed event was refused: is the handler using the same secret, and verifying the raw body bytes rather than re-serialized JSON?');
  }
  if (status >= 500) return fail('the handler failed on a correctly signed event');
  return fail('expected a 2xx');
}

/** How a request that must be refused was bad, for the failure's wording. */
export interface BadRequest {
  /** What was sent, e.g. "an event signed with a wrong secret". */
  sent: string;
  /** What a 2xx to it says about the handler. */
  acceptedMeans: string;
  /** What the handler crashes on when it answers 5xx, e.g. "bad signatures". */
  crashesOn: string;
}

/** A forged, unsigned or stale request must get a 4xx: not a 2xx, not a crash. */
export function judgeRejected(response: CheckResponse, bad: BadRequest, limit: string): Verdict {
  if (response.error) {
    if (response.error.kind === 'timeout') {
      return fail(`no response within ${limit} to ${bad.sent}: refuse bad signatures at once, before any work`);
    }
    return fail(`${response.error.message}: the handler dropped ${bad.sent} instead of answering 4xx`);
  }
  const status = response.status ?? 0;
  if (status >= 400 && status < 500) return PASS;
  if (status >= 200 && status < 300) return fail(`accepted ${bad.sent}: ${bad.acceptedMeans}`);
  if (status >= 500) return fail(`the handler crashes on ${bad.crashesOn}: refuse them with 400 or 401 instead`);
  return fail(`expected a 4xx refusal of ${bad.sent}`);
}
