import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Environment, loadContext, resolveSecret } from '../context.js';
import { closeDeliveryPool, sendRequest, type DeliveryResult, type OutgoingRequest } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';
import { formatDuration, parseDuration } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { loadFixture } from '../fixtures/load.js';
import { nearestNames, type Catalogue } from '../providers/catalogue.js';
import type { ProviderSpec } from '../providers/types.js';
import { expectationOf, notApplicableChecks, runCheck, type CheckContext } from '../verify/checks.js';
import { CHECK_NAMES, summarize, type CheckName, type CheckResult, type NotApplicable, type RunScope, type VerifyReport } from '../verify/report.js';
import { REPORTERS, renderReport, type ReporterName } from '../verify/reporters.js';
import { runPool } from '../verify/run-pool.js';
import { startHandler, type ProcessExit, type StartedHandler } from '../verify/start-handler.js';
import { hostAndPort, tryConnect, waitForPort } from '../verify/wait-for-port.js';
import { withRouteTarget } from './route-options.js';
import { parsePositiveInt } from './shared-options.js';

export interface VerifyOptions {
  forward?: string;
  provider?: string;
  secret?: string;
  /** Comma-separated event types, or "all". */
  events?: string;
  /** Comma-separated check names, or "all". */
  checks?: string;
  timeout?: string;
  concurrency?: string;
  reporter?: string;
  /** Where to write the json or junit report. */
  output?: string;
  /** Shell command that starts the handler. */
  start?: string;
  waitFor?: string;
  waitTimeout?: string;
  failFast?: boolean;
  config?: string;
  /** A route of whcli.config.json: its provider, handler and secret. */
  route?: string;
  /** Every route of whcli.config.json, in one report. */
  routes?: boolean;
}

/** What is about to run, known before anything is sent. */
export interface VerifyPlan extends RunScope {
  total: number;
  /** The --start command, and the address waited for. */
  start?: { command: string; waitFor: string };
}

export interface VerifyDeps {
  environment: Environment;
  /** Aborted on Ctrl-C / SIGTERM: the run stops, the handler is stopped, a partial report returns. */
  signal?: AbortSignal;
  onPlan?: (plan: VerifyPlan) => void;
  /** Called once the handler accepts connections, just before the first check. */
  onReady?: () => void;
  /** Called as each check finishes. */
  onResult?: (result: CheckResult, done: number, total: number) => void;
  send?: (request: OutgoingRequest) => Promise<DeliveryResult>;
  /** Unix milliseconds; the replay check dates its signature from it. */
  now?: () => number;
  /** SIGTERM-to-SIGKILL grace period for the --start process tree. */
  handlerGraceMs?: number;
}

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_WAIT_TIMEOUT = '60s';

interface Task {
  event: string;
  check: CheckName;
}

/** The options, checked and resolved: everything a run needs before it touches the network. */
function runScope(settings: Settings): RunScope {
  const { provider, url, events, checks, notApplicable, timeoutMs, concurrency } = settings;
  return { provider: provider.name, url: url.toString(), events, checks, notApplicable, timeoutMs, concurrency };
}

interface Settings {
  provider: ProviderSpec;
  url: URL;
  secret: string;
  events: string[];
  checks: CheckName[];
  notApplicable: NotApplicable[];
  timeoutMs: number;
  /** The timeout in words, for expectations and failures. */
  timeoutText: string;
  concurrency: number;
  reporter: ReporterName;
  waitFor: URL | undefined;
  waitTimeoutMs: number;
  fixtures: Map<string, unknown>;
}

/** Checks a webhook handler against every event type of a provider; returns the report, never prints. */
export async function verify(options: VerifyOptions, deps: VerifyDeps): Promise<VerifyReport> {
  if (options.routes) return (await import('./verify-routes.js')).verifyRoutes(options, deps);
  if (options.route !== undefined) options = await withRouteTarget(options, deps.environment);
  const settings = await resolveSettings(options, deps.environment);
  const { provider, url, events, checks } = settings;
  const tasks: Task[] = events.flatMap((event) => checks.map((check) => ({ event, check })));
  const waitTarget = settings.waitFor ?? url;
  deps.onPlan?.({
    ...runScope(settings),
    total: tasks.length,
    ...(options.start ? { start: { command: options.start, waitFor: describeHost(waitTarget) } } : {}),
  });

  let handler: StartedHandler | undefined;
  let exitedEarly: ProcessExit | undefined;
  let ran: (CheckResult | undefined)[] = [];
  let startedAt = new Date();
  let started = performance.now();
  try {
    if (options.start) {
      handler = startHandler(options.start, { cwd: deps.environment.cwd, env: deps.environment.env, graceMs: deps.handlerGraceMs });
    }
    if (handler || settings.waitFor) await waitUntilReady(waitTarget, settings.waitTimeoutMs, handler, deps.signal);
    // One connection first: an unreachable handler is one clear error, not a page of failed checks.
    const probe = await tryConnect(url, Math.min(settings.timeoutMs, 5000));
    if (!probe.ok) throw unreachable(url, probe.message, handler);
    deps.onReady?.();
    startedAt = new Date();
    started = performance.now();
    ran = await runChecks(tasks, settings, options.failFast === true, deps);
  } finally {
    exitedEarly = handler?.exit();
    await handler?.stop();
    await closeDeliveryPool();
  }

  const ranResults = ran.filter((r): r is CheckResult => r !== undefined);
  if (ranResults.length > 0 && ranResults.every(allRefused)) {
    throw unreachable(url, 'every request was refused: the handler stopped accepting connections', handler);
  }
  const interrupted = deps.signal?.aborted ? String(deps.signal.reason ?? 'aborted') : undefined;
  const notRun = interrupted ? `not run: interrupted by ${interrupted}` : 'not run: --fail-fast stopped after the first failure';
  const results = tasks.map(
    ({ event, check }, index): CheckResult =>
      ran[index] ?? { event, check, status: 'skipped', expected: expectationOf(check, provider, settings.timeoutText), reason: notRun, responses: [] },
  );
  const summary = summarize(results);
  const report: VerifyReport = {
    schemaVersion: 1,
    ...runScope(settings),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    summary,
    ok: summary.failed === 0 && summary.skipped === 0 && !interrupted,
    ...(interrupted ? { interrupted } : {}),
    ...(handler
      ? { handler: { command: handler.command, pid: handler.pid, ...(exitedEarly ? { exitedEarly } : {}), outputTail: handler.outputTail() } }
      : {}),
    results,
  };
  if (options.output && settings.reporter !== 'pretty') {
    await writeReport(resolve(deps.environment.cwd, options.output), renderReport(report, settings.reporter));
  }
  return report;
}

/** Runs the checks, bounded; an entry stays undefined for a check that never ran (fail-fast, abort). */
async function runChecks(tasks: readonly Task[], settings: Settings, failFast: boolean, deps: VerifyDeps): Promise<(CheckResult | undefined)[]> {
  const send = deps.send ?? sendRequest;
  const nowMs = deps.now ?? Date.now;
  const ran: (CheckResult | undefined)[] = new Array(tasks.length).fill(undefined);
  let done = 0;
  // Kept as each check finishes rather than from the pool's answer, so a check that completed
  // just as Ctrl-C came in still counts.
  // With several in flight, longest first: a duplicate check is two requests in a row, so starting
  // those early keeps the tail of the run short. Results keep their places in the report.
  const cost = (task: Task) => (task.check === 'duplicate' && settings.concurrency > 1 ? 2 : 1);
  await runPool(
    tasks.map((task, index) => ({ task, index })).sort((a, b) => cost(b.task) - cost(a.task)),
    async ({ task, index }) => {
      const { provider, secret, url, timeoutMs, timeoutText } = settings;
      const context: CheckContext = { provider, secret, url, timeoutMs, timeoutText, send, nowMs, event: task.event, fixture: settings.fixtures.get(task.event) };
      const result = await runCheck(task.check, context);
      if (deps.signal?.aborted) return result;
      ran[index] = result;
      deps.onResult?.(result, ++done, tasks.length);
      return result;
    },
    { concurrency: settings.concurrency, signal: deps.signal, stopAfter: failFast ? (r) => r.status === 'failed' : undefined },
  );
  return ran;
}

async function resolveSettings(options: VerifyOptions, environment: Environment): Promise<Settings> {
  const { config, catalogue } = await loadContext(environment, options.config);
  const providerName = options.provider ?? config?.provider;
  if (!providerName) {
    throw new UsageError(`verify needs --provider (one of: ${catalogue.providers.map((p) => p.name).join(', ')})`);
  }
  const provider = catalogue.provider(providerName);
  const forward = options.forward ?? config?.forward;
  if (!forward) throw new UsageError('verify needs --forward: the URL of the handler to check, e.g. --forward localhost:3000/webhooks');
  const url = parseTarget(forward);
  const secret = resolveSecret(options.secret, environment, config);
  const events = selectEvents(options.events, provider, catalogue);
  const notApplicable = notApplicableChecks(provider);
  const checks = selectChecks(options.checks, notApplicable);
  const timeoutMs = options.timeout ? parseDuration(options.timeout, '--timeout') : provider.timeoutMs;
  if (timeoutMs <= 0) throw new UsageError('--timeout must be more than 0');
  const timeoutText = `${formatDuration(timeoutMs)} (${options.timeout ? '--timeout' : `${provider.name}'s timeout`})`;
  const concurrency = options.concurrency ? parsePositiveInt(options.concurrency, '--concurrency') : DEFAULT_CONCURRENCY;
  const reporter = selectReporter(options.reporter);
  if (options.output && reporter === 'pretty') {
    throw new UsageError('--output writes a machine-readable report: add --reporter junit or --reporter json');
  }
  const waitFor = options.waitFor ? parseTarget(options.waitFor, '--wait-for') : undefined;
  const waitTimeoutMs = parseDuration(options.waitTimeout ?? DEFAULT_WAIT_TIMEOUT, '--wait-timeout');
  // Every fixture up front: a missing one is a setup error, not a failed check halfway through.
  const fixtures = new Map(await Promise.all(events.map(async (event) => [event, await loadFixture(provider, event)] as const)));
  return { provider, url, secret, events, checks, notApplicable, timeoutMs, timeoutText, concurrency, reporter, waitFor, waitTimeoutMs, fixtures };
}

/** The error main.ts reports after the report was printed; undefined when every check passed. */
export function verifyFailure(report: VerifyReport): WhcliError | undefined {
  if (report.interrupted) {
    const notRun = report.summary.skipped;
    return new WhcliError(
      'WHCLI_ERR_INTERRUPTED',
      `interrupted: ${notRun} of ${report.summary.total} checks did not run`,
      report.interrupted === 'SIGTERM' ? 143 : 130,
    );
  }
  // The report already said which checks failed and why: nothing to add on stderr.
  if (report.summary.failed > 0) return new WhcliError('WHCLI_ERR_CHECKS_FAILED', '');
  return undefined;
}

function selectEvents(flag: string | undefined, provider: ProviderSpec, catalogue: Catalogue): string[] {
  const names = splitList(flag);
  if (names.length === 0 || names.includes('all')) return provider.events.map((e) => e.name);
  return [...new Set(names.map((name) => catalogue.resolveEvent(name, provider.name).event.name))];
}

function selectChecks(flag: string | undefined, notApplicable: readonly NotApplicable[]): CheckName[] {
  const names = splitList(flag);
  if (names.length === 0 || names.includes('all')) {
    return CHECK_NAMES.filter((check) => !notApplicable.some((n) => n.check === check));
  }
  const picked: CheckName[] = [];
  for (const name of names) {
    const check = CHECK_NAMES.find((c) => c === name.toLowerCase());
    if (!check) {
      const near = nearestNames(name, CHECK_NAMES);
      const hint = near.length ? ` Did you mean "${near[0]}"?` : '';
      throw new UsageError(`unknown check "${name}".${hint} Checks: ${CHECK_NAMES.join(', ')}.`);
    }
    const skip = notApplicable.find((n) => n.check === check);
    if (skip) throw new UsageError(`--checks ${check}: ${skip.reason}`);
    if (!picked.includes(check)) picked.push(check);
  }
  return CHECK_NAMES.filter((c) => picked.includes(c));
}

function selectReporter(flag: string | undefined): ReporterName {
  const name = flag ?? 'pretty';
  const reporter = REPORTERS.find((r) => r === name);
  if (!reporter) throw new UsageError(`unknown reporter "${name}": use ${REPORTERS.join(', ')}`);
  return reporter;
}

function splitList(flag: string | undefined): string[] {
  return (flag ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function describeHost(url: URL): string {
  const { host, port } = hostAndPort(url);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function allRefused(result: CheckResult): boolean {
  return result.responses.length > 0 && result.responses.every((r) => r.error?.kind === 'refused');
}

function unreachable(url: URL, why: string, handler: StartedHandler | undefined): WhcliError {
  const advice = handler
    ? `is the --start command serving ${describeHost(url)}?${outputOf(handler)}`
    : 'start it first, or let whcli start it: --start "npm run dev"';
  return new WhcliError('WHCLI_ERR_UNREACHABLE', `cannot reach the handler at ${url}: ${why}; ${advice}`);
}

async function waitUntilReady(target: URL, timeoutMs: number, handler: StartedHandler | undefined, signal: AbortSignal | undefined): Promise<void> {
  const outcome = await waitForPort(target, { timeoutMs, signal, exited: handler?.exited });
  const where = describeHost(target);
  if (outcome === 'ready') return;
  if (outcome === 'aborted') {
    const reason = String(signal?.reason ?? 'aborted');
    throw new WhcliError('WHCLI_ERR_INTERRUPTED', `interrupted by ${reason} while waiting for ${where}`, reason === 'SIGTERM' ? 143 : 130);
  }
  if (outcome === 'exited' && handler) {
    const exit = handler.exit();
    const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code ?? 'unknown'}`;
    throw new WhcliError('WHCLI_ERR_UNREACHABLE', `the --start command ${how} before ${where} accepted connections${outputOf(handler)}`);
  }
  const after = handler ? ` after starting "${handler.command}"` : '';
  throw new WhcliError(
    'WHCLI_ERR_UNREACHABLE',
    `nothing accepted connections on ${where} within ${formatDuration(timeoutMs)}${after} (raise --wait-timeout, or check --wait-for)${handler ? outputOf(handler) : ''}`,
  );
}

function outputOf(handler: StartedHandler): string {
  const tail = handler.outputTail().slice(-10);
  return tail.length ? `\n  its last output:\n${tail.map((line) => `    ${line}`).join('\n')}` : '';
}

export async function writeReport(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new UsageError(`cannot write --output ${path}: ${(error as Error).message}`);
  }
}
