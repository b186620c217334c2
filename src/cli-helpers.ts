import type { Environment } from './context.js';
import type { Terminal } from './ui/terminal.js';
import { boundedWriter, MAX_UNWRITTEN_OUTPUT } from './ui/bounded-output.js';
import { terminalSafeJson } from './ui/sanitize.js';

/** Commander collector for repeatable flags. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The process's real surroundings, handed to commands. */
export function environment(): Environment {
  return { cwd: process.cwd(), env: process.env };
}

export async function terminal(options: { bounded?: boolean } = {}): Promise<Terminal> {
  const { processTerminal } = await import('./ui/terminal.js');
  return processTerminal(process.env, options);
}

export function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${terminalSafeJson(value, 2)}\n`);
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}


/**
 * NDJSON to stdout, written once per turn of the event loop: a busy listener makes one write
 * instead of one per event. A reader that stops reading does not grow memory: past 16 MiB unwritten,
 * lines are skipped and a `skipped` line says how many. Call flush() before the process ends.
 */
export function ndjsonWriter(): { write(value: unknown): void; flush(): void } {
  let buffered: string[] = [];
  let scheduled = false;
  const reason = `the reader of stdout fell ${MAX_UNWRITTEN_OUTPUT / 1024 / 1024} MiB behind`;
  const out = boundedWriter(process.stdout, (lines) => process.stdout.write(`${JSON.stringify({ type: 'skipped', lines, reason })}\n`));
  const flush = () => {
    scheduled = false;
    if (buffered.length === 0) return;
    const text = buffered.join('');
    buffered = [];
    out(text);
  };
  return {
    write(value) {
      buffered.push(`${terminalSafeJson(value)}\n`);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
