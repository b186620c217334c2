import type { ProgramDeps } from './cli-program.js';
import { environment, printJson, terminal } from './cli-helpers.js';

/** `whcli trigger --scenario <name>`: the scenario's events in order. Loaded only when asked for. */
export async function triggerScenarioAction(event: string | undefined, opts: Record<string, unknown>, deps: ProgramDeps): Promise<void> {
  const [{ triggerScenario, scenarioFailure }, view, term, { UsageError }] = await Promise.all([
    import('./commands/trigger-scenario.js'),
    import('./ui/scenario-view.js'),
    terminal(),
    import('./errors.js'),
  ]);
  if (!opts.scenario) throw new UsageError("missing required argument 'event': give an event type (e.g. whcli trigger invoice.paid) or --scenario <name>");
  if (event !== undefined) throw new UsageError(`give an event type or --scenario, not both ("${event}" and --scenario ${String(opts.scenario)})`);
  for (const flag of ['set', 'data', 'retries'] as const) {
    if (opts[flag] !== undefined) throw new UsageError(`--${flag} applies to one event; a scenario's steps set their own values (see its file)`);
  }
  const quiet = opts.json || opts.dryRun;
  const result = await triggerScenario(opts as unknown as Parameters<typeof triggerScenario>[0], {
    environment: environment(),
    signal: deps.signal,
    onStart: quiet ? undefined : (head) => view.printScenarioHeader(term, head),
    onStep: quiet ? undefined : (step, total) => view.printScenarioStep(term, step, total),
  });
  if (opts.json) printJson(result);
  else if (opts.dryRun) view.printScenarioDryRun(term, result);
  if (!result.ok) throw scenarioFailure(result);
}
