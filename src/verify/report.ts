import type { DeliveryFailure } from '../delivery/send.js';

/** The checks `whcli verify` runs for each event type by default, in report order. */
export const CHECK_NAMES = ['delivery', 'forgery', 'unsigned', 'replay', 'duplicate', 'raw-body'] as const;
/** Checks that load the handler the way production does; run only when named in --checks (or `all`, `stress`). */
export const STRESS_CHECK_NAMES = ['concurrent', 'out-of-order', 'burst'] as const;
/** The provider's verification handshake, sent once per run; a default check only for providers that have one. */
export const HANDSHAKE_CHECK = 'handshake' as const;
/** Every check, in report order; `scenario` runs only with --scenario. */
export const ALL_CHECK_NAMES = [HANDSHAKE_CHECK, ...CHECK_NAMES, ...STRESS_CHECK_NAMES] as const;
export type CheckName = (typeof ALL_CHECK_NAMES)[number] | 'scenario';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** One request a check sent, and what came back. */
export interface CheckResponse {
  /** HTTP status; absent when no response arrived. */
  status?: number;
  latencyMs: number;
  /** The start of the response body. */
  body?: string;
  error?: { kind: DeliveryFailure; message: string };
}

/** The outcome of one check for one event type. */
export interface CheckResult {
  event: string;
  check: CheckName;
  status: CheckStatus;
  /** What a correct handler answers, e.g. "2xx within 20s". */
  expected: string;
  /** What came back, e.g. "200", "200, 500" or "timeout"; absent for skipped checks. */
  got?: string;
  /** Why the check failed or was skipped; absent when it passed. */
  reason?: string;
  /** The event id sent (the same for both requests of `duplicate`). */
  eventId?: string;
  /** The slowest request of the check, in milliseconds. */
  latencyMs?: number;
  /** Every request the check sent, in order. */
  responses: CheckResponse[];
  /** Something that passed but will hurt in production, e.g. a handler slower than half the timeout. */
  warning?: string;
  /** --diagnose: the most likely cause of a refused signed delivery, in one line. */
  diagnosis?: string;
  /** --diagnose: each probe sent and what it got. */
  probes?: ProbeOutcome[];
  /** burst: handler latency percentiles, in milliseconds. */
  latency?: { p50: number; p99: number; max: number; count: number };
  /** With --effects: how many times the handler did the event's work. */
  effects?: number;
}

/** One --diagnose probe: what was changed in the refused request, and the answer. */
export interface ProbeOutcome {
  probe: string;
  got: string;
}

/** A check left out of the run for every event, and why. */
export interface NotApplicable {
  check: CheckName;
  reason: string;
}

export interface VerifySummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

/** What a run covers: known before it starts, repeated in its report. */
export interface RunScope {
  provider: string;
  url: string;
  events: string[];
  checks: CheckName[];
  notApplicable: NotApplicable[];
  timeoutMs: number;
  concurrency: number;
  /** --scenario: the scenario whose steps are the rows. */
  scenario?: string;
  /** --from: the folder of recorded events whose files are the rows. */
  from?: string;
}

/** Everything `whcli verify` found; the json reporter writes exactly this. */
export interface VerifyReport extends RunScope {
  /** Bumped when a field changes meaning, for scripts that read --reporter json. */
  schemaVersion: 1;
  /** ISO time the first check started. */
  startedAt: string;
  durationMs: number;
  summary: VerifySummary;
  /** True when every check ran and passed. */
  ok: boolean;
  /** Set when Ctrl-C or SIGTERM stopped the run early. */
  interrupted?: string;
  /** The handler `--start` launched; `exitedEarly` when it died before whcli stopped it. */
  handler?: {
    command: string;
    pid: number;
    exitedEarly?: { code: number | null; signal: string | null };
    outputTail: string[];
  };
  results: CheckResult[];
}

/** Counts of a result list. */
export function summarize(results: readonly CheckResult[]): VerifySummary {
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  return { total: results.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

/** "200", "timeout" or "refused": one response in a word. */
export function describeResponse(response: CheckResponse): string {
  return response.status !== undefined ? String(response.status) : (response.error?.kind ?? 'error');
}

/** The report's rows: its events, then rows of checks that span them (burst). */
export function rowsOf(report: Pick<VerifyReport, 'events' | 'results'>): string[] {
  const rows = [...report.events];
  for (const result of report.results) if (!rows.includes(result.event)) rows.push(result.event);
  return rows;
}
