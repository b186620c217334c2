import { type Environment, loadContext } from '../context.js';
import { whcliPaths } from '../paths.js';
import { belongsHere, listRunningListeners, type ListenerRecord } from '../tunnel/running-listeners.js';

export interface ListenerEntry extends ListenerRecord {
  /** Started for this project (same config file, or this directory or one above): `trigger` picks these. */
  here: boolean;
}

/** The listeners running on this machine, newest first, each marked when it belongs to this project. */
export async function listListeners(options: { config?: string }, deps: { environment: Environment }): Promise<ListenerEntry[]> {
  const { configPath } = await loadContext(deps.environment, options.config);
  const records = await listRunningListeners(whcliPaths(deps.environment).state);
  return records.map((record) => ({ ...record, here: belongsHere(record, { cwd: deps.environment.cwd, config: configPath }) }));
}
