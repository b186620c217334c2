import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Makes sure `dir` is a directory the relay can write a log in, creating what is missing (0700) one
 * level at a time, and fails in one line otherwise. Not `mkdir -p`: Node's recursive mkdir never
 * ends on a path it cannot create but whose parent exists (file:/proc/x spun at 100 % CPU).
 */
export function prepareStoreDir(dir: string, flag: string): void {
  const target = resolve(dir);
  const fail = (what: string, error?: unknown): never => {
    throw new UsageError(`${flag}: ${what}${error === undefined ? '' : ` (${errno(error)})`}: choose a writable directory`);
  };
  const missing: string[] = [];
  for (let current = target; ; current = dirname(current)) {
    try {
      if (!statSync(current).isDirectory()) fail(`${current} is not a directory`);
      break;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (errno(error) !== 'ENOENT' || dirname(current) === current) fail(`cannot use ${current}`, error);
      missing.unshift(current);
    }
  }
  for (const path of missing) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if (errno(error) !== 'EEXIST') fail(`cannot create ${path}`, error);
    }
  }
  // Permissions alone do not say whether a file can be made here (read-only mounts, procfs): try.
  const probe = join(target, `.whcli-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
    unlinkSync(probe);
  } catch (error) {
    fail(`cannot write in ${target}`, error);
  }
}
