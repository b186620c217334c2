import { randomBytes } from 'node:crypto';
import type { DeliveryResult, OutgoingRequest } from '../delivery/send.js';
import { renderEvent, type RenderedEvent } from '../fixtures/render-event.js';
import { signerFor, signRequest, type SignedRequest } from '../providers/sign.js';
import type { ProviderSpec } from '../providers/types.js';
import { generatePrivateKey } from '../signing/asymmetric.js';
import { judgeAccepted, judgeRejected, type Verdict } from './judge.js';
import { describeResponse, type CheckName, type CheckResponse, type CheckResult, type NotApplicable } from './report.js';

/** What a check needs to build, send and judge its requests. */
export interface CheckContext {
  provider: ProviderSpec;
  event: string;
  /** The event's parsed fixture; each check renders its own copy with a fresh id. */
  fixture: unknown;
  secret: string;
  url: URL;
  timeoutMs: number;
  /** The timeout in words, for failures: "300ms (--timeout)" or "20s (stripe's timeout)". */
  timeoutText: string;
  send(request: OutgoingRequest): Promise<DeliveryResult>;
  /** Unix milliseconds; replay signs relative to it. */
  nowMs(): number;
}

/**
 * How far past the scheme's tolerance the replay check dates its signature: far enough that clock
 * skew between whcli and the handler cannot make a stale signature look fresh.
 */
export const REPLAY_MARGIN_SEC = 60;

/** The checks that cannot run against this provider's scheme, and why. */
export function notApplicableChecks(provider: ProviderSpec): NotApplicable[] {
  if (signerFor(provider).toleranceSec !== undefined) return [];
  return [{ check: 'replay', reason: `${provider.name} signs no timestamp, so there is no replay window to test` }];
}

/** How old the replay check's signature is, in seconds. */
function replayAgeSec(provider: ProviderSpec): number {
  return (signerFor(provider).toleranceSec ?? 0) + REPLAY_MARGIN_SEC;
}

/** What a correct handler answers to a check, in words. */
export function expectationOf(check: CheckName, provider: ProviderSpec, timeoutText: string): string {
  switch (check) {
    case 'delivery':
      return `2xx within ${timeoutText}`;
    case 'forgery':
      return '4xx (signed with a wrong secret)';
    case 'unsigned':
      return `4xx (no ${signerFor(provider).headerNames.join(', ')})`;
    case 'replay':
      return `4xx (signature ${replayAgeSec(provider)}s old)`;
    case 'duplicate':
      return '2xx twice (same event id)';
  }
}

/** A secret that cannot be the real one, shaped so every scheme accepts it as a key. */
function wrongSecret(provider: ProviderSpec): string {
  // An asymmetric scheme's wrong secret is another private key: the handler holds only the right public one.
  if (provider.scheme.type === 'asymmetric') return generatePrivateKey(provider.scheme.algorithm);
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function signed(ctx: CheckContext, rendered: RenderedEvent, secret = ctx.secret, timestampSec?: number): SignedRequest {
  const request = signRequest(ctx.provider, { body: rendered.body, secret, eventId: rendered.eventId, timestamp: timestampSec, url: ctx.url.toString() });
  return { headers: { ...rendered.headers, ...request.headers }, body: request.body };
}

/** The provider's own headers with every header its scheme writes taken out. */
function unsigned(ctx: CheckContext, rendered: RenderedEvent): SignedRequest {
  const drop = new Set(signerFor(ctx.provider).headerNames.map((name) => name.toLowerCase()));
  return { headers: Object.fromEntries(Object.entries(rendered.headers).filter(([name]) => !drop.has(name.toLowerCase()))), body: rendered.body };
}

async function post(ctx: CheckContext, { headers, body }: SignedRequest): Promise<CheckResponse> {
  const result = await ctx.send({ url: ctx.url, method: 'POST', headers, body, timeoutMs: ctx.timeoutMs });
  const response: CheckResponse = { latencyMs: result.durationMs };
  if (result.status !== undefined) response.status = result.status;
  if (result.body !== undefined) response.body = result.body;
  if (result.error) response.error = result.error;
  return response;
}

function result(ctx: CheckContext, check: CheckName, rendered: RenderedEvent, responses: CheckResponse[], verdict: Verdict): CheckResult {
  return {
    event: ctx.event,
    check,
    status: verdict.passed ? 'passed' : 'failed',
    expected: expectationOf(check, ctx.provider, ctx.timeoutText),
    got: responses.map(describeResponse).join(', '),
    ...(verdict.passed ? {} : { reason: verdict.reason }),
    eventId: rendered.eventId,
    latencyMs: Math.max(...responses.map((r) => r.latencyMs)),
    responses,
  };
}

async function delivery(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderEvent(ctx.provider, ctx.event, ctx.fixture);
  const response = await post(ctx, signed(ctx, rendered));
  return result(ctx, 'delivery', rendered, [response], judgeAccepted(response, ctx.timeoutText));
}

async function forgery(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderEvent(ctx.provider, ctx.event, ctx.fixture);
  const response = await post(ctx, signed(ctx, rendered, wrongSecret(ctx.provider)));
  const verdict = judgeRejected(
    response,
    { sent: 'an event signed with a wrong secret', acceptedMeans: 'the handler does not verify signatures', crashesOn: 'bad signatures' },
    ctx.timeoutText,
  );
  return result(ctx, 'forgery', rendered, [response], verdict);
}

async function unsignedCheck(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderEvent(ctx.provider, ctx.event, ctx.fixture);
  const names = signerFor(ctx.provider).headerNames.join(', ');
  const response = await post(ctx, unsigned(ctx, rendered));
  const verdict = judgeRejected(
    response,
    { sent: `an event without ${names}`, acceptedMeans: 'the handler does not verify signatures', crashesOn: 'missing signatures' },
    ctx.timeoutText,
  );
  return result(ctx, 'unsigned', rendered, [response], verdict);
}

async function replay(ctx: CheckContext): Promise<CheckResult> {
  const toleranceSec = signerFor(ctx.provider).toleranceSec ?? 0;
  const ageSec = replayAgeSec(ctx.provider);
  const rendered = renderEvent(ctx.provider, ctx.event, ctx.fixture);
  const timestampSec = Math.floor(ctx.nowMs() / 1000) - ageSec;
  const response = await post(ctx, signed(ctx, rendered, ctx.secret, timestampSec));
  const verdict = judgeRejected(
    response,
    {
      sent: `a correctly signed event timestamped ${ageSec}s ago (tolerance ${toleranceSec}s)`,
      acceptedMeans: 'the handler ignores the signature timestamp, so a captured request can be replayed',
      crashesOn: 'stale timestamps',
    },
    ctx.timeoutText,
  );
  return result(ctx, 'replay', rendered, [response], verdict);
}

async function duplicate(ctx: CheckContext): Promise<CheckResult> {
  const rendered = renderEvent(ctx.provider, ctx.event, ctx.fixture);
  const first = await post(ctx, signed(ctx, rendered));
  const firstVerdict = judgeAccepted(first, ctx.timeoutText);
  if (!firstVerdict.passed) {
    return result(ctx, 'duplicate', rendered, [first], { passed: false, reason: `the first delivery failed: ${firstVerdict.reason}` });
  }
  // A redelivery carries the same id and body with a fresh signature, as providers' retries do.
  const second = await post(ctx, signed(ctx, rendered));
  let verdict = judgeAccepted(second, ctx.timeoutText);
  const status = second.status ?? 0;
  if (!verdict.passed && status >= 400 && status < 500) {
    verdict = { passed: false, reason: 'a repeated event id was refused: providers count any non-2xx as failed and redeliver; acknowledge repeats with 2xx and skip the work' };
  } else if (!verdict.passed && status >= 500) {
    verdict = { passed: false, reason: 'the handler failed on a repeated event id: it is not idempotent; acknowledge repeats with 2xx and skip the work' };
  }
  return result(ctx, 'duplicate', rendered, [first, second], verdict);
}

const CHECKS: Record<CheckName, (ctx: CheckContext) => Promise<CheckResult>> = {
  delivery,
  forgery,
  unsigned: unsignedCheck,
  replay,
  duplicate,
};

/** Runs one check for one event; network and HTTP failures become failed results, never throws. */
export function runCheck(check: CheckName, ctx: CheckContext): Promise<CheckResult> {
  return CHECKS[check](ctx);
}
