import { readFileSync } from 'node:fs';

/** True when `pid` is a running process; an exited-but-unreaped (zombie) process counts as gone. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (macOS): kill(pid, 0) succeeding is the best answer there is.
    return true;
  }
}
