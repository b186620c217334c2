import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Environment, loadContext, resolveProviderSecret } from '../context.js';
import { closeDeliveryPool, sendRequest, type DeliveryResult, type OutgoingRequest } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';
import { formatDuration, parseDuration } from '../duration.js';
import { UsageError, WhcliError } from '../errors.js';
import { chosenApiVersion, withApiVersion } from '../providers/api-version.js';
import { nearestNames, type Catalogue } from '../providers/catalogue.js';
import { HANDSHAKE_PROVIDERS, handshakeFor } from '../providers/handshakes.js';
import type { ProviderSpec } from '../providers/types.js';
import type { BurstPlan } from '../verify/check-requests.js';
import { expectationOf, notApplicableChecks, runCheck, type CheckContext } from '../verify/checks.js';
import { catalogueCases, recordedCases, scenarioCases, type VerifyCase } from '../verify/cases.js';
import { checkEffectsUrl, EFFECTS_ID, effectsReader } from '../verify/effects.js';
import {
  ALL_CHECK_NAMES,
  CHECK_NAMES,
  HANDSHAKE_CHECK,
  STRESS_CHECK_NAMES,
  summarize,
  type CheckName,
  type CheckResult,
  type NotApplicable,
  type RunScope,
  type VerifyReport,
} from '../verify/report.js';
import { DEFAULT_BURST_COUNT, DEFAULT_DELIVERY_RATE, DELIVERY_RATES, type DeliveryRate } from '../verify/traffic.js';
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
  /** The API version the events' objects follow, for providers that have versions (Stripe). */
  apiVersion?: string;
  config?: string;
  /** Probe refused deliveries and name the likely cause. */
  diagnose?: boolean;
  /** URL answering how many times the handler did an event's work; "{id}" is replaced by the event id. */
  effects?: string;
  /** Events the burst check sends. */
  burst?: string;
  /** Events a second for burst (default: the provider's rate). */
  burstRate?: string;
  /** Run a scenario's steps in order instead of one check per event type. */
  scenario?: string;
  /** Replay a folder of recorded events (`whcli history export`) instead of the catalogue's fixtures. */
  from?: string;
  /** A route of whcli.config.json: its provider, handler and secret. */
  route?: string;
  /** Every route of whcli.config.json, in one report. */
  routes?: boolean;
}

/** What is about to run, known before anything is sent. */
export interface VerifyPlan extends RunScope {
  total: number;
  /** How many checks each report row gets (rows differ: out-of-order runs only for some events). */
  checksPerRow: Record<string, number>;
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
  /** The case's label: its row in the report. */
  event: string;
  check: CheckName;
  caseIndex: number;
}

/** The options, checked and resolved: everything a run needs before it touches the network. */
function runScope(settings: Settings): RunScope {
  const { provider, url, cases, checks, notApplicable, timeoutMs, concurrency, scenario, from } = settings;
  return {
    provider: provider.name,
    url: url.toString(),
    events: cases.map((c) => c.label),
    checks,
    notApplicable,
    timeoutMs,
    concurrency,
    ...(scenario ? { scenario } : {}),
    ...(from ? { from } : {}),
  };
}

/** The tasks of a run: the handshake first, every case x check that applies to it, burst once for the whole run. */
function planTasks(settings: Settings): Task[] {
  const tasks: Task[] = [];
  const handshake = handshakeFor(settings.provider);
  if (handshake && settings.checks.includes('handshake')) tasks.push({ event: handshake.name, check: 'handshake', caseIndex: -1 });
  for (const [caseIndex, c] of settings.cases.entries()) {
    for (const check of settings.checks) {
      if (check === 'burst' || check === 'handshake') continue;
      if (check === 'out-of-order' && !c.pair) continue;
      tasks.push({ event: c.label, check, caseIndex });
    }
  }
  if (settings.checks.includes('burst')) tasks.push({ event: BURST_ROW, check: 'burst', caseIndex: -1 });
  return tasks;
}

/** The report row of the burst check, which spans every event. */
export const BURST_ROW = '(all events)';

interface Settings {
  provider: ProviderSpec;
  url: URL;
  secret: string;
  cases: VerifyCase[];
  scenario?: string;
  from?: string;
  effects?: string;
  diagnose: boolean;
  burst: { count: number; rate: DeliveryRate };
  checks: CheckName[];
  notApplicable: NotApplicable[];
  timeoutMs: number;
  /** The timeout in words, for expectations and failures. */
  timeoutText: string;
  concurrency: number;
  reporter: ReporterName;
  waitFor: URL | undefined;
  waitTimeoutMs: number;
}

/** Checks a webhook handler against every event type of a provider; returns the report, never prints. */
export async function verify(options: VerifyOptions, deps: VerifyDeps): Promise<VerifyReport> {
  if (options.routes) return (await import('./verify-routes.js')).verifyRoutes(options, deps);
  if (options.route !== undefined) options = await withRouteTarget(options, deps.environment);
  const settings = await resolveSettings(options, deps.environment);
  const { provider, url } = settings;
  const tasks = planTasks(settings);
  const waitTarget = settings.waitFor ?? url;
  deps.onPlan?.({
    ...runScope(settings),
    total: tasks.length,
    checksPerRow: tasks.reduce<Record<string, number>>((rows, task) => ({ ...rows, [task.event]: (rows[task.event] ?? 0) + 1 }), {}),
    ...(options.start ? { start: { command: options.start, waitFor: describeHost(waitTarget) } } : {}),
  });

  let handler: StartedHandler | undefined;
  let exitedEarly: ProcessExit | undefined;
  let ran: (CheckResult | undefined)[] = [];
  let startedAt = new Date();
  let started = performance.now();
  try {
    if (options.start) {
      // A stray process on the port would take the checks while the --start command dies on EADDRINUSE.
      if ((await tryConnect(waitTarget, 5000)).ok) {
        throw new WhcliError(
          'WHCLI_ERR_UNREACHABLE',
          `another process already listens on ${describeHost(waitTarget)}: "${options.start}" could not bind it, and the checks would run against that process; stop it, or leave out --start to check it`,
        );
      }
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
  let stopped = false;
  const effects = settings.effects ? effectsReader(settings.effects, send, settings.timeoutMs) : undefined;
  const run = async ({ task, index }: { task: Task; index: number }): Promise<CheckResult> => {
    const { provider, secret, url, timeoutMs, timeoutText } = settings;
    const c = settings.cases[task.caseIndex];
    const context: CheckContext = {
      provider,
      secret,
      url,
      timeoutMs,
      timeoutText,
      send,
      nowMs,
      event: task.event,
      fixture: c?.fixture,
      diagnose: settings.diagnose,
      ...(c?.render ? { render: c.render } : {}),
      ...(c?.pair ? { pair: c.pair } : {}),
      ...(effects ? { effects } : {}),
      ...(task.check === 'burst' ? { burst: burstPlan(settings) } : {}),
    };
    const result = await runCheck(task.check, context);
    if (deps.signal?.aborted) return result;
    ran[index] = result;
    if (result.status === 'failed' && failFast) stopped = true;
    deps.onResult?.(result, ++done, tasks.length);
    return result;
  };
  const indexed = tasks.map((task, index) => ({ task, index }));
  // Alone, after the rest: burst measures latency, and a global --effects count must see only its own events.
  const alone = (task: Task) => task.check === 'burst' || (task.check === 'concurrent' && settings.effects !== undefined && !settings.effects.includes(EFFECTS_ID));
  // Scenario steps go one at a time, in order: that order is what a scenario tests.
  const concurrency = settings.scenario ? 1 : settings.concurrency;
  // With several in flight, longest first: a duplicate check is two requests in a row, so starting
  // those early keeps the tail of the run short. Results keep their places in the report.
  const cost = (task: Task) => (task.check === 'duplicate' && concurrency > 1 ? 2 : 1);
  const shared = indexed.filter(({ task }) => !alone(task));
  await runPool(
    settings.scenario ? shared : shared.sort((a, b) => cost(b.task) - cost(a.task)),
    run,
    { concurrency, signal: deps.signal, stopAfter: failFast ? (r) => r.status === 'failed' : undefined },
  );
  for (const item of indexed.filter(({ task }) => alone(task))) {
    if (stopped || deps.signal?.aborted) break;
    await run(item);
  }
  return ran;
}

function burstPlan(settings: Settings): BurstPlan {
  const { cases, burst } = settings;
  return {
    count: burst.count,
    ratePerSec: burst.rate.perSecond,
    rateSource: burst.rate.source,
    render: (index) => cases[index % cases.length]!.renderFresh(),
  };
}

async function resolveSettings(options: VerifyOptions, environment: Environment): Promise<Settings> {
  const { config, catalogue } = await loadContext(environment, options.config);
  const providerName = options.provider ?? config?.provider;
  if (!providerName) {
    throw new UsageError(`verify needs --provider (one of: ${catalogue.providers.map((p) => p.name).join(', ')})`);
  }
  const named = catalogue.provider(providerName);
  const provider = withApiVersion(named, chosenApiVersion(options.apiVersion, named, environment));
  const forward = options.forward ?? config?.forward;
  if (!forward) throw new UsageError('verify needs --forward: the URL of the handler to check, e.g. --forward localhost:3000/webhooks');
  const url = parseTarget(forward);
  const secret = resolveProviderSecret(provider, options.secret, environment, config);
  if ([options.scenario, options.from].filter(Boolean).length > 1) throw new UsageError('--scenario and --from each choose what to send: give one of them');
  if ((options.scenario || options.from) && options.events && options.events !== 'all') {
    throw new UsageError(`--events chooses catalogue events; ${options.scenario ? '--scenario' : '--from'} sends its own: leave --events out`);
  }
  const notApplicable = notApplicableChecks(provider);
  if (options.scenario && options.checks) throw new UsageError('--scenario sends its steps in order as one check each; leave out --checks');
  const checks: CheckName[] = options.scenario ? ['scenario'] : selectChecks(options.checks, notApplicable, provider);
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
  const burst = {
    count: options.burst ? parsePositiveInt(options.burst, '--burst') : DEFAULT_BURST_COUNT,
    rate: options.burstRate ? { perSecond: parsePositiveNumber(options.burstRate, '--burst-rate'), source: '--burst-rate' } : (DELIVERY_RATES[provider.name] ?? DEFAULT_DELIVERY_RATE),
  };
  const effects = options.effects ? checkEffectsUrl(options.effects) : undefined;
  if (effects && !checks.includes('concurrent')) throw new UsageError('--effects is read by the concurrent check: add --checks concurrent (or --checks all)');
  // Every fixture up front: a missing one is a setup error, not a failed check halfway through.
  let cases: VerifyCase[];
  if (options.scenario) {
    cases = await scenarioCases(options.scenario, provider, config?.scenarios);
  } else if (options.from) {
    cases = await recordedCases(resolve(environment.cwd, options.from), provider);
  } else {
    // The config's events, as listen forwards only those: the events the handler is meant to take.
    const events = selectEvents(options.events ?? config?.events?.join(','), provider, catalogue);
    cases = await catalogueCases(provider, events, checks.includes('out-of-order'));
  }
  return {
    provider,
    url,
    secret,
    cases,
    ...(options.scenario ? { scenario: options.scenario } : {}),
    ...(options.from ? { from: options.from } : {}),
    ...(effects ? { effects } : {}),
    diagnose: options.diagnose === true,
    burst,
    checks,
    notApplicable,
    timeoutMs,
    timeoutText,
    concurrency,
    reporter,
    waitFor,
    waitTimeoutMs,
  };
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

/** Names --checks accepts besides single checks. */
const CHECK_GROUPS: Record<string, readonly CheckName[]> = { all: ALL_CHECK_NAMES, default: [HANDSHAKE_CHECK, ...CHECK_NAMES], stress: STRESS_CHECK_NAMES };

function selectChecks(flag: string | undefined, notApplicable: readonly NotApplicable[], provider: ProviderSpec): CheckName[] {
  const names = splitList(flag);
  // Only providers that have a handshake get the check, so other providers' runs keep their counts.
  const hasHandshake = handshakeFor(provider) !== undefined;
  const applies = (check: CheckName) => !notApplicable.some((n) => n.check === check) && (check !== HANDSHAKE_CHECK || hasHandshake);
  if (names.length === 0) return [HANDSHAKE_CHECK, ...CHECK_NAMES].filter(applies);
  const picked = new Set<CheckName>();
  const known = [...ALL_CHECK_NAMES, ...Object.keys(CHECK_GROUPS)];
  for (const name of names) {
    const lower = name.toLowerCase();
    const group = CHECK_GROUPS[lower];
    if (group) {
      group.filter(applies).forEach((c) => picked.add(c));
      continue;
    }
    const check = ALL_CHECK_NAMES.find((c) => c === lower);
    if (!check) {
      const near = nearestNames(name, known);
      const hint = near.length ? ` Did you mean "${near[0]}"?` : '';
      throw new UsageError(`unknown check "${name}".${hint} Checks: ${ALL_CHECK_NAMES.join(', ')} (groups: ${Object.keys(CHECK_GROUPS).join(', ')}).`);
    }
    const skip = notApplicable.find((n) => n.check === check);
    if (skip) throw new UsageError(`--checks ${check}: ${skip.reason}`);
    if (check === HANDSHAKE_CHECK && !hasHandshake) {
      throw new UsageError(`--checks handshake: ${provider.name} sends no verification handshake (providers with one: ${HANDSHAKE_PROVIDERS.join(', ')})`);
    }
    picked.add(check);
  }
  return ALL_CHECK_NAMES.filter((c) => picked.has(c));
}

function parsePositiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a number above 0, got "${text}"`);
  return value;
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
