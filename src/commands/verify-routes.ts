import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { summarize, type VerifyReport } from '../verify/report.js';
import { routeNames, withRouteTarget } from './route-options.js';
import { renderReport, type ReporterName } from '../verify/reporters.js';
import { verify, writeReport, type VerifyDeps, type VerifyOptions } from './verify.js';

/**
 * `verify --routes`: each route's handler checked in turn against its own provider, merged into one
 * report (so one JUnit file): every event is named `ROUTE: event`.
 */
export async function verifyRoutes(options: VerifyOptions, deps: VerifyDeps): Promise<VerifyReport> {
  if (options.route !== undefined) throw new UsageError('--route checks one route and --routes all of them: give one');
  const names = await routeNames(deps.environment, options.config);
  const reports: VerifyReport[] = [];
  for (const name of names) {
    if (deps.signal?.aborted) break;
    const routed = await withRouteTarget({ ...options, routes: false, route: name }, deps.environment);
    const report = await verify(routed, deps);
    const prefix = (event: string) => `${name}: ${event}`;
    reports.push({ ...report, events: report.events.map(prefix), results: report.results.map((r) => ({ ...r, event: prefix(r.event) })) });
  }
  const results = reports.flatMap((r) => r.results);
  const summary = summarize(results);
  const first = reports[0]!;
  const interrupted = reports.find((r) => r.interrupted)?.interrupted;
  const merged: VerifyReport = {
    ...first,
    provider: [...new Set(reports.map((r) => r.provider))].join(','),
    url: reports.map((r) => r.url).join(' '),
    events: reports.flatMap((r) => r.events),
    durationMs: reports.reduce((sum, r) => sum + r.durationMs, 0),
    summary,
    ok: reports.length === names.length && reports.every((r) => r.ok),
    ...(interrupted ? { interrupted } : {}),
    results,
  };
  // Each route's run checked --reporter and --output; the merged report is the one written.
  if (options.output && options.reporter && options.reporter !== 'pretty') {
    await writeReport(resolve(deps.environment.cwd, options.output), renderReport(merged, options.reporter as Exclude<ReporterName, 'pretty'>));
  }
  return merged;
}
