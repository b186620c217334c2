import { distance } from 'fastest-levenshtein';
import { UsageError } from '../errors.js';
import type { EventSpec, ProviderSpec } from './types.js';

/** Up to `limit` names nearest to `input`, nearest first. */
export function nearestNames(input: string, names: readonly string[], limit = 3): string[] {
  const lower = input.toLowerCase();
  return [...names]
    .map((name) => {
      const candidate = name.toLowerCase();
      // A name containing the input (or the reverse) is a better hint than edit distance alone.
      const bonus = candidate.includes(lower) || lower.includes(candidate) ? -2 : 0;
      return { name, score: distance(lower, candidate) + bonus };
    })
    .filter(({ score, name }) => score <= Math.max(3, Math.ceil(name.length / 2)))
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map(({ name }) => name);
}

function didYouMean(input: string, names: readonly string[]): string {
  const near = nearestNames(input, names);
  return near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
}

/** The providers in effect: built-ins overlaid with the user's config file. */
export class Catalogue {
  readonly providers: readonly ProviderSpec[];

  constructor(providers: readonly ProviderSpec[]) {
    this.providers = providers;
  }

  provider(name: string): ProviderSpec {
    const found = this.providers.find((p) => p.name === name.toLowerCase());
    if (!found) {
      throw new UsageError(
        `unknown provider "${name}".${didYouMean(name, this.providers.map((p) => p.name)) || ` Known: ${this.providers.map((p) => p.name).join(', ')}.`}`,
        'WHCLI_ERR_UNKNOWN_PROVIDER',
      );
    }
    return found;
  }

  /** Resolves an event name, inferring the provider when exactly one has it. */
  resolveEvent(eventName: string, providerName?: string): { provider: ProviderSpec; event: EventSpec } {
    if (providerName) {
      const provider = this.provider(providerName);
      const event = provider.events.find((e) => e.name === eventName);
      if (!event) {
        throw new UsageError(
          `unknown event "${eventName}" for provider ${provider.name}.${didYouMean(eventName, provider.events.map((e) => e.name))} Run "whcli events --provider ${provider.name}" to list them.`,
          'WHCLI_ERR_UNKNOWN_EVENT',
        );
      }
      return { provider, event };
    }
    const owners = this.providers.filter((p) => p.events.some((e) => e.name === eventName));
    if (owners.length === 1) {
      const provider = owners[0]!;
      return { provider, event: provider.events.find((e) => e.name === eventName)! };
    }
    if (owners.length > 1) {
      throw new UsageError(
        `event "${eventName}" exists for several providers (${owners.map((p) => p.name).join(', ')}): pick one with --provider.`,
        'WHCLI_ERR_AMBIGUOUS_EVENT',
      );
    }
    const all = [...new Set(this.providers.flatMap((p) => p.events.map((e) => e.name)))];
    throw new UsageError(
      `unknown event "${eventName}".${didYouMean(eventName, all)} Run "whcli events" to list them.`,
      'WHCLI_ERR_UNKNOWN_EVENT',
    );
  }
}

