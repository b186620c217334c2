import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { UsageError } from '../errors.js';
import { ensurePrivateDir } from '../paths.js';

/** What a running `whcli listen` publishes about itself. */
export interface ListenerRecord {
  pid: number;
  startedAt: string;
  /** The channel's public ingress URL: POSTing there reaches this listener. */
  url: string;
  /** The provider it re-signs as, or '' for none. */
  provider: string;
  forward: string;
  /** Whether it replaces signatures with its own (then a sender needs no secret). */
  resign?: boolean;
  /** Working directory and config file it was started with: which project it belongs to. */
  cwd?: string;
  config?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records this listener; returns a function that removes the record. */
export async function publishListener(stateDir: string, record: ListenerRecord): Promise<() => Promise<void>> {
  await ensurePrivateDir(stateDir);
  const file = join(stateDir, `listen-${record.pid}.json`);
  // 0600: the record names the channel's ingress URL, which is enough to post events to it.
  await writeFile(file, JSON.stringify(record), { mode: 0o600 });
  return () => rm(file, { force: true });
}

/** Every listener still running, newest first; records of dead ones are removed. */
export async function listRunningListeners(stateDir: string): Promise<ListenerRecord[]> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch {
    return [];
  }
  const records: ListenerRecord[] = [];
  for (const name of names.filter((n) => /^listen-\d+\.json$/.test(n))) {
    try {
      const record = JSON.parse(await readFile(join(stateDir, name), 'utf8')) as ListenerRecord;
      if (isAlive(record.pid)) records.push(record);
      else await rm(join(stateDir, name), { force: true });
    } catch {
      // A record being written or removed right now: skip it.
    }
  }
  return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** Where a command runs, to tell which listeners belong to it. */
export interface ListenerWanted {
  cwd: string;
  /** The config file this command uses, if any. */
  config?: string;
  /** --listener: a pid, channel id or URL. */
  pick?: string;
  /** The provider asked for explicitly (--provider), if any. */
  provider?: string;
  /** Providers that have the event being sent: a listener re-signing as another is no match. */
  providersWithEvent?: readonly string[];
}

/** True when the listener was started for this project: the same config file, or this directory or one above it. */
export function belongsHere(record: ListenerRecord, wanted: Pick<ListenerWanted, 'cwd' | 'config'>): boolean {
  if (record.config && wanted.config) return record.config === wanted.config;
  if (!record.cwd) return false;
  const rel = relative(record.cwd, wanted.cwd);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** One line naming a listener, for messages and `whcli listeners`. */
export function describeListener(record: ListenerRecord): string {
  const signing = record.resign && record.provider ? `re-signs as ${record.provider}` : record.provider ? `${record.provider}, passes signatures through` : 'no provider';
  return `pid ${record.pid} (${signing}, -> ${record.forward}${record.cwd ? `, in ${record.cwd}` : ''})`;
}

function matchesPick(record: ListenerRecord, pick: string): boolean {
  return String(record.pid) === pick || record.url === pick || record.url.endsWith(`/c/${pick}`);
}

/**
 * The running listener a command should send through, or undefined when none runs at all. Refuses,
 * with a line saying how to choose, a listener of another project, of another provider, or a choice
 * between several.
 */
export function chooseListener(records: readonly ListenerRecord[], wanted: ListenerWanted): ListenerRecord | undefined {
  const hint = '`whcli listeners` lists them';
  if (wanted.pick !== undefined) {
    const picked = records.find((r) => matchesPick(r, wanted.pick!));
    if (!picked) throw new UsageError(`no running listener "${wanted.pick}" (--listener takes a pid or channel id; ${hint})`);
    checkProvider(picked, wanted);
    return picked;
  }
  if (records.length === 0) return undefined;
  const here = records.filter((r) => belongsHere(r, wanted));
  if (here.length === 0) {
    throw new UsageError(
      `no listener runs for this project (${wanted.config ?? wanted.cwd}); ${records.length} runs elsewhere: pick one with --listener <pid> (${hint}), or pass --forward`,
    );
  }
  const fitting = here.filter((r) => fits(r, wanted));
  if (fitting.length === 1) return fitting[0];
  if (fitting.length === 0) {
    checkProvider(here[0]!, wanted);
    // checkProvider passes only when the listener does not re-sign: then any provider fits.
    return here[0];
  }
  throw new UsageError(`${fitting.length} listeners run for this project: pick one with --listener <pid> (${fitting.map((r) => r.pid).join(', ')}; ${hint})`);
}

/** A listener that re-signs can carry only its own provider's events. */
function fits(record: ListenerRecord, wanted: ListenerWanted): boolean {
  if (!record.resign || !record.provider) return true;
  if (wanted.provider) return record.provider === wanted.provider;
  return !wanted.providersWithEvent || wanted.providersWithEvent.includes(record.provider);
}

function checkProvider(record: ListenerRecord, wanted: ListenerWanted): void {
  if (fits(record, wanted)) return;
  const asked = wanted.provider ? `a ${wanted.provider} event` : 'this event';
  throw new UsageError(
    `the listener ${describeListener(record)} would re-sign ${asked} as ${record.provider}: start a listener for that provider, or pass --forward`,
  );
}
