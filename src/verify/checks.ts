import type { RenderedEvent } from '../fixtures/render-event.js';
import type { ProviderSpec } from '../providers/types.js';
import { handshakeFor, handshakeStakes } from '../providers/handshakes.js';
import { signerFor } from '../providers/sign.js';
import { checkResult, post, renderFor, signed, unsigned, wrongSecret, type CheckContext } from './check-requests.js';
import { diagnose } from './diagnose.js';
import { judgeAccepted, judgeRejected, type Verdict } from './judge.js';
import { reserializationProbeBody } from './raw-body.js';
import type { CheckName, CheckResponse, CheckResult, NotApplicable } from './report.js';
import { burst, concurrent, outOfOrder } from './stress-checks.js';

export type { CheckContext } from './check-requests.js';

/**
 * How far past the scheme's tolerance the replay check dates its signature: far enough that clock
 * skew between whcli and the handler cannot make a stale signature look fresh.
 */
export const REPLAY_MARGIN_SEC = 60;

/** The checks that cannot run against this provider's scheme, and why. */
export function notApplicableChecks(provider: ProviderSpec): NotApplicable[] {
  const out: NotApplicable[] = [];
  if (signerFor(provider).toleranceSec === undefined) out.push({ check: 'replay', reason: `${provider.name} signs no timestamp, so there is no replay window to test` });
  if (provider.verifiesReserialized) {
    out.push({ check: 'raw-body', reason: `${provider.name}'s own verifier signs JSON.stringify of the parsed body, so its events are always laid out that way (${provider.verifiesReserialized.source})` });
  }
  return out;
}

/** How old the replay check's signature is, in seconds. */
function replayAgeSec(provider: ProviderSpec): number {
  return (signerFor(provider).toleranceSec ?? 0) + REPLAY_MARGIN_SEC;
}

/** What a correct handler answers to a check, in words. */
export function expectationOf(check: CheckName, provider: ProviderSpec, timeoutText: string): string {
  switch (check) {
    case 'delivery':
    case 'scenario':
      return `2xx within ${timeoutText}`;
    case 'forgery':
      return '4xx (signed with a wrong secret)';
    case 'unsigned':
      return `4xx (no ${signerFor(provider).headerNames.join(', ')})`;
    case 'replay':
      return `4xx (signature ${replayAgeSec(provider)}s old)`;
    case 'duplicate':
      return '2xx twice (same event id)';
    case 'raw-body':
      return '2xx (body laid out unlike JSON.stringify)';
    case 'concurrent':
      return '2xx to both (same event id twice at once), work done once';
    case 'out-of-order':
      return 'no 5xx (the later event of an object first)';
    case 'burst':
      return `2xx to every event within ${timeoutText}`;
    case 'handshake':
      return handshakeFor(provider)?.expected ?? 'no handshake';
  }
}

/** The message a refused re-serialization probe gets: the bug and its fix. */
export const RESERIALIZED_BODY_REASON =
  'your handler verifies a re-serialized body: verify the raw request bytes (e.g. express.raw() or req.rawBody), not JSON.stringify(req.body), which changes whitespace, escapes and large numbers';

function expected(ctx: CheckContext, check: CheckName): string {
  return expectationOf(check, ctx.provider, ctx.timeoutText);
}

async function delivery(ctx: CheckContext, check: 'delivery' | 'scenario' = 'delivery'): Promise<CheckResult> {
  const rendered = renderFor(ctx);
  const response = await post(ctx, signed(ctx, rendered));
  const slow = response.status !== undefined && response.latencyMs > ctx.timeoutMs / 2;
  const result = checkResult(ctx, check, expected(ctx, check), rendered.eventId, [response], judgeAccepted(response, ctx.timeoutText), {
    ...(slow ? { warning: `answered in ${Math.round(response.latencyMs)}ms, more than half of ${ctx.timeoutText}: under load it will time out; answer 2xx first and do the work afterwards` } : {}),
  });
  return withDiagnosis(ctx, result, rendered, rendered.body, response);
}

/** With --diagnose, a refused signed delivery gets probed and its likely cause named. */
async function withDiagnosis(ctx: CheckContext, result: CheckResult, rendered: RenderedEvent, body: Uint8Array, response: CheckResponse): Promise<CheckResult> {
  const status = response.status ?? 0;
  if (!ctx.diagnose || result.status !== 'failed' || status < 400 || status >= 500) return result;
  const { cause, probes } = await diagnose(ctx, rendered, body, response);
  return { ...result, diagnosis: cause, probes };
}

async function forgery(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderFor(ctx);
  const response = await post(ctx, signed(ctx, rendered, { secret: wrongSecret(ctx.provider) }));
  const verdict = judgeRejected(
    response,
    { sent: 'an event signed with a wrong secret', acceptedMeans: 'the handler does not verify signatures', crashesOn: 'bad signatures' },
    ctx.timeoutText,
  );
  return checkResult(ctx, 'forgery', expected(ctx, 'forgery'), rendered.eventId, [response], verdict);
}

async function unsignedCheck(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderFor(ctx);
  const names = signerFor(ctx.provider).headerNames.join(', ');
  const response = await post(ctx, unsigned(ctx, rendered));
  const verdict = judgeRejected(
    response,
    { sent: `an event without ${names}`, acceptedMeans: 'the handler does not verify signatures', crashesOn: 'missing signatures' },
    ctx.timeoutText,
  );
  return checkResult(ctx, 'unsigned', expected(ctx, 'unsigned'), rendered.eventId, [response], verdict);
}

async function replay(ctx: CheckContext): Promise<CheckResult> {
  const toleranceSec = signerFor(ctx.provider).toleranceSec ?? 0;
  const ageSec = replayAgeSec(ctx.provider);
  const rendered = renderFor(ctx);
  const timestampSec = Math.floor(ctx.nowMs() / 1000) - ageSec;
  const response = await post(ctx, signed(ctx, rendered, { timestampSec }));
  const verdict = judgeRejected(
    response,
    {
      sent: `a correctly signed event timestamped ${ageSec}s ago (tolerance ${toleranceSec}s)`,
      acceptedMeans: 'the handler ignores the signature timestamp, so a captured request can be replayed',
      crashesOn: 'stale timestamps',
    },
    ctx.timeoutText,
  );
  return checkResult(ctx, 'replay', expected(ctx, 'replay'), rendered.eventId, [response], verdict);
}

/** A repeat refused or crashed on, in words: providers redeliver on any non-2xx. */
export function repeatVerdict(verdict: Verdict, response: CheckResponse, how: string): Verdict {
  const status = response.status ?? 0;
  if (!verdict.passed && status >= 400 && status < 500) {
    return { passed: false, reason: `${how} was refused: providers count any non-2xx as failed and redeliver; acknowledge repeats with 2xx and skip the work` };
  }
  if (!verdict.passed && status >= 500) {
    return { passed: false, reason: `the handler failed on ${how}: it is not idempotent; acknowledge repeats with 2xx and skip the work` };
  }
  return verdict;
}

async function duplicate(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderFor(ctx);
  const first = await post(ctx, signed(ctx, rendered));
  const firstVerdict = judgeAccepted(first, ctx.timeoutText);
  if (!firstVerdict.passed) {
    return checkResult(ctx, 'duplicate', expected(ctx, 'duplicate'), rendered.eventId, [first], {
      passed: false,
      reason: `the first delivery failed: ${firstVerdict.reason}`,
    });
  }
  // A redelivery carries the same id and body with a fresh signature, as providers' retries do.
  const second = await post(ctx, signed(ctx, rendered));
  const verdict = repeatVerdict(judgeAccepted(second, ctx.timeoutText), second, 'a repeated event id');
  return checkResult(ctx, 'duplicate', expected(ctx, 'duplicate'), rendered.eventId, [first, second], verdict);
}

/** A correctly signed body whose bytes are not what JSON.stringify writes must still get a 2xx. */
async function rawBody(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderFor(ctx);
  const body = reserializationProbeBody(rendered.body);
  const response = await post(ctx, signed(ctx, rendered, { body }));
  let verdict = judgeAccepted(response, ctx.timeoutText);
  const status = response.status ?? 0;
  if (!verdict.passed && status >= 400 && status < 500) verdict = { passed: false, reason: RESERIALIZED_BODY_REASON };
  else if (!verdict.passed && status >= 500) {
    verdict = { passed: false, reason: 'the handler failed on a valid JSON body laid out unlike JSON.stringify (indented, \\u escapes, an integer past 2^53): parse it with JSON.parse from the raw bytes' };
  }
  const result = checkResult(ctx, 'raw-body', expected(ctx, 'raw-body'), rendered.eventId, [response], verdict);
  return withDiagnosis(ctx, result, rendered, body, response);
}

/** The provider's verification handshake, signed as the provider signs it; the handler's answer must complete it. */
async function handshake(ctx: CheckContext): Promise<CheckResult> {
  const spec = handshakeFor(ctx.provider);
  if (!spec) throw new Error(`${ctx.provider.name} has no handshake`);
  const request = spec.request(ctx.nowMs());
  const rendered: RenderedEvent = { provider: ctx.provider.name, event: spec.name, eventId: request.eventId, body: request.body, headers: request.headers };
  const response = await post(ctx, signed(ctx, rendered));
  const why = handshakeStakes(ctx.provider, spec);
  let verdict: Verdict;
  if (response.status === undefined) {
    const accepted = judgeAccepted(response, ctx.timeoutText);
    verdict = { passed: false, reason: `${accepted.passed ? 'no answer' : accepted.reason}; ${why}` };
  } else {
    const outcome = spec.judge({ status: response.status, body: response.body ?? '' }, request.challenge, ctx.secret);
    verdict = outcome.ok ? { passed: true } : { passed: false, reason: `${outcome.reason}: ${why}` };
  }
  return checkResult(ctx, 'handshake', spec.expected, request.eventId, [response], verdict);
}

const CHECKS: Record<CheckName, (ctx: CheckContext) => Promise<CheckResult>> = {
  delivery: (ctx) => delivery(ctx),
  forgery,
  unsigned: unsignedCheck,
  replay,
  duplicate,
  'raw-body': rawBody,
  concurrent: (ctx) => concurrent(ctx, expected(ctx, 'concurrent')),
  'out-of-order': (ctx) => outOfOrder(ctx, expected(ctx, 'out-of-order')),
  burst: (ctx) => burst(ctx, expected(ctx, 'burst')),
  scenario: (ctx) => delivery(ctx, 'scenario'),
  handshake,
};

/** Runs one check for one event; network and HTTP failures become failed results, never throws. */
export function runCheck(check: CheckName, ctx: CheckContext): Promise<CheckResult> {
  return CHECKS[check](ctx);
}
