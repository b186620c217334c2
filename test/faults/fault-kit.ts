/**
 * Shared pieces of the fault-injection tests: numbered events, a bounded-concurrency sender that keeps
 * what the relay answered (and retries what it did not, as a provider would), and the tally of what
 * reached the handler. Every event body is {"id":"evt_<label>_<n>","n":n}.
 */
import { recordFigures } from '../helpers/reliability-report.js';
import type { ReceivedRequest } from '../helpers/http-handler.js';
import type { CliProcess, JsonLine } from '../helpers/processes.js';

export const EVENTS = 1000;

export const eventId = (label: string, n: number) => `evt_${label}_${n}`;
export const eventBody = (label: string, n: number) => JSON.stringify({ id: eventId(label, n), object: 'event', type: 'invoice.paid', n });

/** The id in a request the handler received. */
export function idOf(request: ReceivedRequest): string {
  return (JSON.parse(request.body.toString('utf8')) as { id: string }).id;
}

export interface Accepted {
  id: string;
  seq: number;
}

export interface SendOutcome {
  /** Events the relay answered 200, with the seq it gave each. */
  accepted: Accepted[];
  /** Attempts that got no 200 (connection refused or reset, 503...): the sender saw each fail. */
  failedAttempts: number;
  /** Events whose first attempt failed but a retry was answered 200. */
  retried: number;
  /** Ids sent more than once: an unanswered attempt may still have been stored, so these may arrive twice. */
  retriedIds: Set<string>;
}

/**
 * POSTs events `from`..`to`-1 with `concurrency` in flight. With `retry`, an attempt that is not
 * answered 200 is tried again after `retryDelayMs` (up to `maxAttempts`), like a provider's retry.
 * `url(n)` may change over time (a relay restarted elsewhere). `beforeEach(n)` runs before each event.
 */
export async function sendEvents(
  url: (n: number) => string,
  label: string,
  range: { from: number; to: number },
  options: { concurrency?: number; retry?: boolean; retryDelayMs?: number; maxAttempts?: number; beforeEach?: (n: number) => Promise<void> | void } = {},
): Promise<SendOutcome> {
  const { concurrency = 8, retry = false, retryDelayMs = 100, maxAttempts = 100 } = options;
  const outcome: SendOutcome = { accepted: [], failedAttempts: 0, retried: 0, retriedIds: new Set() };
  let next = range.from;
  const worker = async () => {
    while (next < range.to) {
      const n = next++;
      await options.beforeEach?.(n);
      for (let attempt = 1; ; attempt++) {
        try {
          const response = await fetch(url(n), { method: 'POST', headers: { 'content-type': 'application/json' }, body: eventBody(label, n), signal: AbortSignal.timeout(10_000) });
          const text = await response.text();
          if (response.status === 200) {
            outcome.accepted.push({ id: eventId(label, n), seq: (JSON.parse(text) as { seq: number }).seq });
            if (attempt > 1) outcome.retried += 1;
            break;
          }
          outcome.failedAttempts += 1;
        } catch {
          // No answer: the relay died under the request, so it is not known to be stored.
          outcome.failedAttempts += 1;
        }
        if (!retry || attempt >= maxAttempts) break;
        outcome.retriedIds.add(eventId(label, n));
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcome;
}

/** How often each id reached the handler. */
export function countById(requests: readonly ReceivedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of requests) counts.set(idOf(request), (counts.get(idOf(request)) ?? 0) + 1);
  return counts;
}

/** The listener's delivery lines, and its status lines by kind. */
export function listenerView(proc: CliProcess) {
  const deliveries = proc.lines.filter((l) => l.type === 'delivery') as (JsonLine & { id: string; eventId: string; report: { ok: boolean; status?: number; error?: { kind: string }; skipped?: string } })[];
  const statuses = (kind: string) => proc.lines.filter((l) => l.type === 'status' && l.status === kind);
  return { deliveries, disconnects: statuses('disconnected'), readies: statuses('ready') };
}

/**
 * The figures of a fault where the sender itself saw failures (a relay killed under it): what was
 * sent, accepted and retried, and what reached the handler once, twice or not at all.
 */
export function recordSenderFault(
  label: string,
  sent: SendOutcome,
  counts: ReadonlyMap<string, number>,
  disconnectsReported: number,
): void {
  recordFigures('fault', label, {
    sent: EVENTS,
    accepted: sent.accepted.length,
    senderAttemptsFailed: sent.failedAttempts,
    senderRetried: sent.retriedIds.size,
    reachedHandler: counts.size,
    deliveredTwice: [...counts.values()].filter((c) => c > 1).length,
    deliveredTwiceAcknowledged: 0,
    lost: EVENTS - counts.size,
    listenerDisconnectsReported: disconnectsReported,
  });
}
