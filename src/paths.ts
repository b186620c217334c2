import { chmod, mkdir, stat } from 'node:fs/promises';
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

/**
 * Creates a directory that holds secrets (tokens, history) as 0700, whatever the umask, and tightens
 * one of whcli's own that an older version left open. Parents it creates get 0700 too.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { mode } = await stat(dir);
  if ((mode & 0o077) !== 0) await chmod(dir, 0o700).catch(() => {});
}
