import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { standaloneBinary } from '../standalone.js';
import type { EventSpec } from './types.js';

/** fixtures/<provider>/events.json as text: from inside the standalone binary, else from the package. */
function readEventsFile(provider: string): string {
  const key = `fixtures/${provider}/events.json`;
  const sea = standaloneBinary();
  if (sea) return sea.getAsset(key, 'utf8');
  // Two levels below the package root, like src/fixtures/load.ts (and the binary's bundle).
  return readFileSync(fileURLToPath(new URL(`../../${key}`, import.meta.url)), 'utf8');
}

/**
 * A provider's event list kept as data in fixtures/<provider>/events.json (generated with its
 * fixtures), read on first use only: commands that never list or resolve events never pay for it.
 */
export function bundledEvents(provider: string): () => EventSpec[] {
  let events: EventSpec[] | undefined;
  return () => {
    events ??= (JSON.parse(readEventsFile(provider)) as EventSpec[]).map(({ name, description }) => ({ name, description }));
    return events;
  };
}
