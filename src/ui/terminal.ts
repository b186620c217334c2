import chalk, { Chalk, type ChalkInstance } from 'chalk';

/** Where a command's human output goes; tests pass their own. */
export interface Terminal {
  out(line: string): void;
  err(line: string): void;
  color: ChalkInstance;
}

/** stdout/stderr, with colour only where the user's terminal and NO_COLOR/FORCE_COLOR allow. */
export function processTerminal(env: Record<string, string | undefined>): Terminal {
  const level = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' ? Math.max(chalk.level, 1) : env.NO_COLOR !== undefined ? 0 : chalk.level;
  const color = new Chalk({ level: level as 0 | 1 | 2 | 3 });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    color,
  };
}
