/**
 * Exits with `code` once stdout and stderr are flushed: when they are pipes, writes are asynchronous,
 * and exiting at once cut `whcli history --json | jq` short past 64 KiB (found by
 * test/faults/handler-down-then-up).
 */
export function exitWhenFlushed(code: Promise<number>): void {
  void code.then((value) => {
    process.exitCode = value;
    process.stdout.write('', () => process.stderr.write('', () => process.exit(value)));
  });
}
