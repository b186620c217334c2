import { loadFixture } from '../fixtures/load.js';
import { renderEvent, type RenderedEvent } from '../fixtures/render-event.js';
import type { scenarioSchema } from '../fixtures/scenario.js';
import { linkAssignments } from '../fixtures/scenario-links.js';
import type { ProviderSpec } from '../providers/types.js';
import type { OutOfOrderPair } from './check-requests.js';
import { readRecordedDir, renderRecorded } from './recorded-event.js';
import { pairFor } from './traffic.js';
import type * as z from 'zod';

/** One row of a verify run: what to send, however it was defined. */
export interface VerifyCase {
  /** The row's name: an event type, a scenario step or a recorded file. */
  label: string;
  /** The provider's event type. */
  event: string;
  /** The catalogue fixture, for cases rendered from one. */
  fixture?: unknown;
  /** Renders the case when it is not a catalogue fixture. */
  render?: () => RenderedEvent;
  /** A fresh rendering for burst, whatever the case's origin. */
  renderFresh(): RenderedEvent;
  /** out-of-order: this event and its object's earlier event. */
  pair?: () => OutOfOrderPair;
}

/** One case per catalogue event; with out-of-order, each later event knows its earlier partner. */
export async function catalogueCases(provider: ProviderSpec, events: readonly string[], withPairs: boolean): Promise<VerifyCase[]> {
  const names = provider.events.map((e) => e.name);
  const fixtures = new Map<string, unknown>();
  const load = async (event: string) => {
    if (!fixtures.has(event)) fixtures.set(event, await loadFixture(provider, event));
    return fixtures.get(event);
  };
  const cases: VerifyCase[] = [];
  for (const event of events) {
    const fixture = await load(event);
    const found = withPairs ? pairFor(provider.name, event, names) : undefined;
    const earlierFixture = found ? await load(found.earlier) : undefined;
    cases.push({
      label: event,
      event,
      fixture,
      renderFresh: () => renderEvent(provider, event, fixture),
      ...(found
        ? {
            pair: () => {
              const earlier = renderEvent(provider, found.earlier, earlierFixture);
              const bodies = new Map([['earlier', JSON.parse(earlier.body.toString('utf8'))]]);
              const link = Object.fromEntries(Object.entries(found.link).map(([to, from]) => [to, `earlier.${from}`]));
              const later = renderEvent(provider, event, fixture, { set: linkAssignments({ link }, bodies, `${found.earlier} -> ${event}`) });
              return { earlier, later };
            },
          }
        : {}),
    });
  }
  return cases;
}

/** A scenario's steps, rendered once with their links, as cases in order. */
export async function scenarioCases(name: string, provider: ProviderSpec, fromConfig?: readonly z.infer<typeof scenarioSchema>[]): Promise<VerifyCase[]> {
  // zod loads only when a scenario is asked for.
  const { findScenario, renderScenario } = await import('../fixtures/scenario.js');
  const scenario = await findScenario(name, provider, fromConfig);
  const steps = await renderScenario(scenario, provider);
  const width = String(steps.length).length;
  return steps.map(({ index, step, rendered }) => ({
    label: `${String(index + 1).padStart(width, '0')}. ${step.event}`,
    event: step.event,
    render: () => rendered,
    renderFresh: () => rendered,
  }));
}

/** Every recorded event in a folder, as cases named by their files. */
export async function recordedCases(dir: string, provider: ProviderSpec): Promise<VerifyCase[]> {
  const recorded = await readRecordedDir(dir, provider);
  return recorded.map(({ file, event }) => ({
    label: `${event.event} (${file})`,
    event: event.event,
    render: () => renderRecorded(provider, event),
    renderFresh: () => renderRecorded(provider, event),
  }));
}
