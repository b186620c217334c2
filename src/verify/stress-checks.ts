import { setTimeout as sleepFor } from 'node:timers/promises';
import { formatDuration } from '../duration.js';
import { checkResult, isSuccess, post, renderFor, signed, type CheckContext } from './check-requests.js';
import { judgeAccepted, type Verdict } from './judge.js';
import { percentile } from './percentile.js';
import type { CheckResponse, CheckResult } from './report.js';

/** The same event id twice at the same instant: both 2xx, and (with --effects) the work done once. */
export async function concurrent(ctx: CheckContext, expected: string): Promise<CheckResult> {
  const rendered = renderFor(ctx);
  const before = ctx.effects ? await readEffects(ctx, rendered.eventId) : undefined;
  if (typeof before === 'string') return effectsUnreadable(ctx, expected, rendered.eventId, before);
  // Both signed and sent before either answer: a retry racing the original, as providers do after a timeout.
  const responses = await Promise.all([post(ctx, signed(ctx, rendered)), post(ctx, signed(ctx, rendered))]);
  const bad = responses.find((r) => !isSuccess(r));
  let verdict: Verdict = { passed: true };
  if (bad) {
    const status = bad.status ?? 0;
    const base = judgeAccepted(bad, ctx.timeoutText);
    if (status >= 500) {
      verdict = {
        passed: false,
        reason: `the handler failed (${status}) when the same event id arrived twice at once: its dedupe is not atomic (check, then insert); record the event id under a unique constraint and answer 2xx when it is already there`,
      };
    } else if (status >= 400) {
      verdict = { passed: false, reason: `a concurrent repeat of an event id was refused (${status}): providers redeliver on any non-2xx; answer 2xx and skip the work` };
    } else verdict = base;
  }
  if (!ctx.effects || before === undefined) return checkResult(ctx, 'concurrent', expected, rendered.eventId, responses, verdict);
  const after = await readEffects(ctx, rendered.eventId);
  if (typeof after === 'string') return effectsUnreadable(ctx, expected, rendered.eventId, after, responses);
  const done = after - before;
  if (verdict.passed && done !== 1) {
    verdict = {
      passed: false,
      reason:
        done > 1
          ? `the work was done ${done} times for one event id delivered twice at once: the dedupe check and the work race; claim the event id atomically (a unique insert) before doing the work`
          : `the work was not done (--effects count went from ${before} to ${after}) although the handler answered 2xx`,
    };
  }
  return checkResult(ctx, 'concurrent', expected, rendered.eventId, responses, verdict, { effects: done });
}

/** --effects answers: a count when readable, the reason when not. */
async function readEffects(ctx: CheckContext, eventId: string): Promise<number | string> {
  try {
    return await ctx.effects!(eventId);
  } catch (error) {
    return (error as Error).message;
  }
}

function effectsUnreadable(ctx: CheckContext, expected: string, eventId: string, why: string, responses: CheckResponse[] = []): CheckResult {
  return checkResult(ctx, 'concurrent', expected, eventId, responses, { passed: false, reason: `cannot read --effects: ${why}` });
}

/** The later event of an object before the earlier one: neither may crash the handler. */
export async function outOfOrder(ctx: CheckContext, expected: string): Promise<CheckResult> {
  const { earlier, later } = ctx.pair!();
  const first = await post(ctx, signed(ctx, later));
  const second = await post(ctx, signed(ctx, earlier));
  const verdicts = [first, second].map((response, index): Verdict => {
    const name = index === 0 ? `${later.event}, sent before its object's ${earlier.event},` : `${earlier.event}, arriving after ${later.event},`;
    if (response.status !== undefined && response.status < 500) return { passed: true };
    if (response.status !== undefined) {
      return {
        passed: false,
        reason: `${name} crashed the handler (${response.status}): providers do not guarantee order; look the object up and create it, or answer 4xx so the event is retried later`,
      };
    }
    return judgeAccepted(response, ctx.timeoutText);
  });
  const failed = verdicts.find((v) => !v.passed) ?? { passed: true };
  const refused = [first, second].some((r) => (r.status ?? 0) >= 400);
  const warning = failed.passed && refused ? 'an event out of order was refused with a 4xx: the provider retries it, fine if that is the intent' : undefined;
  return checkResult(ctx, 'out-of-order', expected, later.eventId, [first, second], failed, {
    // The row names the pair, so a reader knows which order was tried.
    event: ctx.event,
    ...(warning ? { warning } : {}),
  });
}

/** N events at the provider's delivery rate: every one 2xx within the timeout; p50/p99 latency reported. */
export async function burst(ctx: CheckContext, expected: string): Promise<CheckResult> {
  const plan = ctx.burst!;
  const intervalMs = 1000 / plan.ratePerSec;
  const sleep = ctx.sleep ?? ((ms: number) => sleepFor(ms));
  const pending: Promise<CheckResponse>[] = [];
  const start = performance.now();
  const rendered = [];
  for (let index = 0; index < plan.count; index++) {
    // Paced from the start, not from the previous send, so slow sends do not stretch the burst.
    const wait = start + index * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    const event = plan.render(index);
    rendered.push(event);
    pending.push(post(ctx, signed(ctx, event)));
  }
  const responses = await Promise.all(pending);
  const answered = responses.filter((r) => r.status !== undefined).map((r) => r.latencyMs);
  const latency = answered.length
    ? { p50: percentile(answered, 50), p99: percentile(answered, 99), max: Math.max(...answered), count: answered.length }
    : undefined;
  const failures = responses.filter((r) => !isSuccess(r));
  let verdict: Verdict = { passed: true };
  if (failures.length) {
    const counts = new Map<string, number>();
    for (const r of failures) {
      const key = r.status !== undefined ? String(r.status) : (r.error?.kind ?? 'error');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const summary = [...counts].map(([what, n]) => `${n} got ${what}`).join(', ');
    const first = judgeAccepted(failures[0]!, ctx.timeoutText);
    verdict = {
      passed: false,
      reason: `${failures.length} of ${plan.count} events sent at ${plan.ratePerSec}/s failed (${summary}): ${first.passed ? 'expected 2xx' : first.reason}`,
    };
  }
  const half = ctx.timeoutMs / 2;
  const warning =
    latency && latency.p99 > half
      ? `p99 latency ${formatDuration(Math.round(latency.p99))} is more than half of ${ctx.timeoutText}: under real load this handler will time out; answer 2xx first and do the work afterwards`
      : undefined;
  const result = checkResult(ctx, 'burst', `${expected}, ${plan.count} events at ${plan.ratePerSec}/s (${plan.rateSource})`, rendered[0]?.eventId ?? '', [], verdict, {
    ...(latency ? { latency } : {}),
    ...(warning ? { warning } : {}),
  });
  // One line, not N status codes: "20×200" or "18×200 2×500".
  const byStatus = new Map<string, number>();
  for (const r of responses) {
    const key = r.status !== undefined ? String(r.status) : (r.error?.kind ?? 'error');
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  result.got = [...byStatus].map(([what, n]) => `${n}×${what}`).join(' ');
  result.responses = responses;
  result.latencyMs = latency?.p99 ?? 0;
  return result;
}
