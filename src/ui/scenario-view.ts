import type { ScenarioStepResult, ScenarioTriggerResult } from '../commands/trigger-scenario.js';
import { excerpt, formatLatency, formatStatus } from './format.js';
import type { Terminal } from './terminal.js';

export function printScenarioHeader(term: Terminal, head: { provider: string; scenario: string; steps: number; url: string }): void {
  const c = term.color;
  term.out(`${c.bold(`scenario ${head.scenario}`)} ${c.dim(`(${head.provider}, ${head.steps} events)`)} ${c.dim('->')} ${head.url}`);
}

export function printScenarioStep(term: Terminal, step: ScenarioStepResult, total: number): void {
  const c = term.color;
  const result = step.result!;
  const detail = result.error ? result.error.message : excerpt(result.body);
  term.out(`${c.dim(`${step.step}/${total}`)} ${formatStatus(result, c)} ${step.event} ${c.dim(step.eventId)} ${c.dim(formatLatency(result.durationMs))}  ${detail}`);
}

/** --dry-run: each step's exact request, in order. */
export function printScenarioDryRun(term: Terminal, result: ScenarioTriggerResult): void {
  for (const step of result.steps) {
    term.out(`# ${step.step}/${result.steps.length} ${step.event}`);
    term.out(`POST ${result.url}`);
    for (const [name, value] of Object.entries(step.headers)) term.out(`${name}: ${value}`);
    term.out('');
    term.out(step.body);
    term.out('');
  }
}
