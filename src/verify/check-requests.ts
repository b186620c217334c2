import { randomBytes } from 'node:crypto';
import type { DeliveryResult, HeaderList, OutgoingRequest } from '../delivery/send.js';
import { renderEvent, type RenderedEvent } from '../fixtures/render-event.js';
import { signerFor, signRequest } from '../providers/sign.js';
import { generatePrivateKey } from '../signing/asymmetric.js';
import type { ProviderSpec } from '../providers/types.js';
import type { Verdict } from './judge.js';
import { describeResponse, type CheckName, type CheckResponse, type CheckResult } from './report.js';

/** Two events of the same object, the later one first: what the out-of-order check sends. */
export interface OutOfOrderPair {
  earlier: RenderedEvent;
  later: RenderedEvent;
}

/** What the burst check sends and at what pace. */
export interface BurstPlan {
  count: number;
  /** Events a second, the provider's delivery rate or --burst-rate. */
  ratePerSec: number;
  /** Where the rate comes from, e.g. "stripe's rate (assumed)". */
  rateSource: string;
  /** The i-th event of the burst, with a fresh id. */
  render(index: number): RenderedEvent;
}

/** What a check needs to build, send and judge its requests. */
export interface CheckContext {
  provider: ProviderSpec;
  event: string;
  /** The event's parsed fixture; each check renders its own copy with a fresh id. */
  fixture: unknown;
  /** Renders the event with a fresh id instead of the fixture (scenario steps, recorded events). */
  render?: () => RenderedEvent;
  secret: string;
  url: URL;
  timeoutMs: number;
  /** The timeout in words, for failures: "300ms (--timeout)" or "20s (stripe's timeout)". */
  timeoutText: string;
  send(request: OutgoingRequest): Promise<DeliveryResult>;
  /** Unix milliseconds; replay signs relative to it. */
  nowMs(): number;
  /** --effects: how many times the handler did the work of an event id. */
  effects?: (eventId: string) => Promise<number>;
  /** out-of-order: the event's earlier partner, rendered to name the same object. */
  pair?: () => OutOfOrderPair;
  burst?: BurstPlan;
  /** --diagnose: probe a refused signed delivery for its cause. */
  diagnose?: boolean;
  /** Waits between burst sends. */
  sleep?: (ms: number) => Promise<void>;
}

/** A fresh rendering of the check's event. */
export function renderFor(ctx: CheckContext): RenderedEvent {
  return ctx.render ? ctx.render() : renderEvent(ctx.provider, ctx.event, ctx.fixture);
}

/** A secret that cannot be the real one, shaped so every scheme accepts it as a key. */
export function wrongSecret(provider: ProviderSpec): string {
  // An asymmetric scheme's wrong secret is another private key: the handler holds only the right public one.
  if (provider.scheme.type === 'asymmetric') return generatePrivateKey(provider.scheme.algorithm);
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** What one check sends: headers and the exact body (a scheme that signs inside the body rewrites it). */
export interface CheckRequest {
  headers: HeaderList;
  body: Uint8Array;
}

/** The provider's headers plus a signature over `body` (the rendered body by default). */
export function signed(
  ctx: CheckContext,
  rendered: RenderedEvent,
  options: { secret?: string; timestampSec?: number; body?: Uint8Array } = {},
): { headers: Record<string, string>; body: Uint8Array } {
  const request = signRequest(ctx.provider, {
    body: options.body ?? rendered.body,
    secret: options.secret ?? ctx.secret,
    eventId: rendered.eventId,
    timestamp: options.timestampSec,
    url: ctx.url.toString(),
  });
  return { headers: { ...rendered.headers, ...request.headers }, body: request.body };
}

/** The provider's own headers with every header its scheme writes taken out. */
export function unsigned(ctx: CheckContext, rendered: RenderedEvent): CheckRequest {
  const drop = new Set(signerFor(ctx.provider).headerNames.map((name) => name.toLowerCase()));
  return { headers: Object.fromEntries(Object.entries(rendered.headers).filter(([name]) => !drop.has(name.toLowerCase()))), body: rendered.body };
}

/** Sends one request and keeps what a report needs of the answer; never throws. */
export async function post(ctx: CheckContext, { body, headers }: CheckRequest): Promise<CheckResponse> {
  const result = await ctx.send({ url: ctx.url, method: 'POST', headers, body, timeoutMs: ctx.timeoutMs });
  const response: CheckResponse = { latencyMs: result.durationMs };
  if (result.status !== undefined) response.status = result.status;
  if (result.body !== undefined) response.body = result.body;
  if (result.error) response.error = result.error;
  return response;
}

/** Whether a response is a 2xx. */
export const isSuccess = (response: CheckResponse): boolean => response.status !== undefined && response.status >= 200 && response.status < 300;

/** A check's result from its responses and verdict. */
export function checkResult(
  ctx: CheckContext,
  check: CheckName,
  expected: string,
  eventId: string,
  responses: CheckResponse[],
  verdict: Verdict,
  extra: Partial<CheckResult> = {},
): CheckResult {
  return {
    event: ctx.event,
    check,
    status: verdict.passed ? 'passed' : 'failed',
    expected,
    got: responses.map(describeResponse).join(', '),
    ...(verdict.passed ? {} : { reason: verdict.reason }),
    eventId,
    latencyMs: responses.length ? Math.max(...responses.map((r) => r.latencyMs)) : 0,
    responses,
    ...extra,
  };
}
