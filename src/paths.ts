import { join } from 'node:path';
import envPaths from 'env-paths';
import type { Environment } from './context.js';

export interface WhcliPaths {
  /** Saved channel credentials. */
  config: string;
  /** Delivery history and relay data. */
  data: string;
  /** Files of running listeners, so `trigger` can find one. */
  state: string;
}

/** The user's whcli directories; WHCLI_HOME puts them all under one folder (tests, portable installs). */
export function whcliPaths(environment: Environment): WhcliPaths {
  const home = environment.env.WHCLI_HOME;
  if (home) return { config: join(home, 'config'), data: join(home, 'data'), state: join(home, 'state') };
  const paths = envPaths('whcli', { suffix: '' });
  // Not under the shared temp dir: another local user could plant a listener record there.
  return { config: paths.config, data: paths.data, state: join(paths.data, 'state') };
}
