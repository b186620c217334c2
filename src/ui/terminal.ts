import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { boundedWriter } from './bounded-output.js';

/** Where a command's human output goes; tests pass their own. */
export interface Terminal {
  out(line: string): void;
  err(line: string): void;
  color: ChalkInstance;
}

type Level = 0 | 1 | 2 | 3;

/**
 * The colour level for `env`, given what the terminal supports (`detected`). FORCE_COLOR wins, read
 * as chalk reads it ("0"/"false" off, ""/"true"/"1" basic, "2"/"3" more); then NO_COLOR, when set
 * and not empty (no-color.org), turns colour off. chalk itself ignores NO_COLOR.
 */
export function colorLevel(env: Record<string, string | undefined>, detected: number): Level {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const asked = force === '' || force === 'true' ? 1 : Number.parseInt(force, 10);
    return Math.min(3, Math.max(detected, Number.isNaN(asked) ? 1 : asked, 1)) as Level;
  }
  if (env.NO_COLOR) return 0;
  return Math.min(3, Math.max(0, detected)) as Level;
}

/**
 * stdout/stderr, with colour only where the user's terminal and NO_COLOR/FORCE_COLOR allow. A
 * long-running command (`listen`) asks for `bounded` output: a reader that stops reading stdout then
 * costs skipped lines, said on stderr, never unbounded memory.
 */
export function processTerminal(env: Record<string, string | undefined>, options: { bounded?: boolean } = {}): Terminal {
  const color = new Chalk({ level: colorLevel(env, chalk.level) });
  const write = (text: string) => process.stdout.write(text);
  const out = options.bounded
    ? boundedWriter(process.stdout, (lines) => process.stderr.write(`whcli: ${lines} lines of output skipped: the reader of stdout fell behind\n`))
    : write;
  return {
    out: (line) => out(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    color,
  };
}
