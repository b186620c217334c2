import type { Environment } from './context.js';
import type { Terminal } from './ui/terminal.js';

/** Commander collector for repeatable flags. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The process's real surroundings, handed to commands. */
export function environment(): Environment {
  return { cwd: process.cwd(), env: process.env };
}

export async function terminal(): Promise<Terminal> {
  const { processTerminal } = await import('./ui/terminal.js');
  return processTerminal(process.env);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

