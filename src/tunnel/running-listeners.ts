import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from '../paths.js';

/** What a running `whcli listen` publishes about itself. */
export interface ListenerRecord {
  pid: number;
  startedAt: string;
  /** The channel's public ingress URL: POSTing there reaches this listener. */
  url: string;
  provider: string;
  forward: string;
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

/** The most recently started listener that is still running, if any. */
export async function findRunningListener(stateDir: string): Promise<ListenerRecord | undefined> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch {
    return undefined;
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
  return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
}
