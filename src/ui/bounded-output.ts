import type { Writable } from 'node:stream';

/** Unwritten bytes past which output is skipped rather than held in memory. */
export const MAX_UNWRITTEN_OUTPUT = 16 * 1024 * 1024;

/**
 * A writer for a stream that a reader may stop draining (`whcli listen --json | slow-consumer`):
 * past `limit` unwritten bytes, lines are counted instead of queued, and once the reader catches up
 * `skipped(n)` is told how many went, before the next write. The listener's deliveries, history and
 * inspector go on either way: only this copy of the lines is lost.
 */
export function boundedWriter(
  stream: Pick<Writable, 'write' | 'writableLength'>,
  skipped: (lines: number) => void,
  limit = MAX_UNWRITTEN_OUTPUT,
): (text: string) => void {
  let lost = 0;
  return (text) => {
    if (stream.writableLength > limit) {
      lost += countLines(text);
      return;
    }
    if (lost > 0) {
      const count = lost;
      lost = 0;
      skipped(count);
    }
    stream.write(text);
  };
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines += 1;
  return Math.max(lines, 1);
}
