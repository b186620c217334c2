import { UsageError } from '../errors.js';
import { nearestNames } from './catalogue.js';
import type { ProviderSpec } from './types.js';

/** The API version a provider's objects follow as rendered; undefined for providers without versions. */
export function apiVersionOf(provider: ProviderSpec): string | undefined {
  return provider.apiVersions && (provider.apiVersions.chosen ?? provider.apiVersions.default);
}

/** Every API version a provider has fixtures for, the default first. */
export function apiVersionsOf(provider: ProviderSpec): string[] {
  return provider.apiVersions ? [provider.apiVersions.default, ...provider.apiVersions.others] : [];
}

/**
 * The provider with `--api-version` applied: fixtures come from that version's directory and the
 * envelope names it. A version the provider has no fixtures for is a usage error naming those it has.
 */
export function withApiVersion(provider: ProviderSpec, version: string | undefined): ProviderSpec {
  if (version === undefined) return provider;
  const known = apiVersionsOf(provider);
  if (known.length === 0) {
    throw new UsageError(`--api-version: ${provider.name} has no API versions; leave the flag out`, 'WHCLI_ERR_BAD_API_VERSION');
  }
  // "2026-10-28" names "2026-10-28.endive": Stripe's release names are optional to type.
  const match = known.find((v) => v === version || v.split('.')[0] === version);
  if (!match) {
    const near = nearestNames(version, known);
    throw new UsageError(
      `unknown --api-version "${version}" for ${provider.name}.${near.length ? ` Did you mean "${near[0]}"?` : ''} Known: ${known.join(', ')}.`,
      'WHCLI_ERR_BAD_API_VERSION',
    );
  }
  return { ...provider, apiVersions: { ...provider.apiVersions!, chosen: match } };
}

/** --api-version, else WHCLI_API_VERSION for a provider that has versions, else none (the default). */
export function chosenApiVersion(flag: string | undefined, provider: ProviderSpec, environment: { env: Record<string, string | undefined> }): string | undefined {
  if (flag !== undefined) return flag;
  const fromEnv = environment.env.WHCLI_API_VERSION;
  return fromEnv && provider.apiVersions ? fromEnv : undefined;
}
