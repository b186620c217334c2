import { type Environment, loadContext } from '../context.js';
import type { ProviderSpec } from '../providers/types.js';

/** The providers in effect (built-ins plus the config file), optionally just one. */
export async function listProviders(
  options: { provider?: string; config?: string },
  deps: { environment: Environment },
): Promise<readonly ProviderSpec[]> {
  const { catalogue } = await loadContext(deps.environment, options.config);
  return options.provider ? [catalogue.provider(options.provider)] : catalogue.providers;
}
