import { WhcliError } from './errors.js';
import { sanitize } from './ui/sanitize.js';

/** Exit codes: 0 ok, 1 failure, 2 usage, 130 interrupted. */
async function main(): Promise<number> {
  // `--version` is asked by scripts and shell prompts: answer it without loading the CLI at all.
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    const { whcliVersion } = await import('./version.js');
    process.stdout.write(`${whcliVersion()}\n`);
    return 0;
  }
  const [{ CommanderError }, { buildProgram }] = await Promise.all([import('commander'), import('./cli.js')]);
  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    // A second Ctrl-C means "now".
    if (interrupts > 1) process.exit(130);
    stop.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The reader went away (`whcli listen --json | head -1`): stop as if asked to, without a stack.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop.abort('EPIPE');
  });
  try {
    await buildProgram({ signal: stop.signal }, args[0]).parseAsync(process.argv);
    // Ctrl-C ends with 130 as shells expect; SIGTERM is a requested shutdown (systemd, CI), so 0.
    return stop.signal.aborted && stop.signal.reason === 'SIGINT' ? 130 : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help, a version, or its own one-line error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof WhcliError && error.code === 'WHCLI_ERR_INTERRUPTED') {
      process.stderr.write(`whcli: ${error.message}\n`);
      return error.exitCode;
    }
    // Whatever a command was doing when Ctrl-C came (a retry wait, a relay it could not reach), the
    // user asked it to stop: no error line, the exit code of an interruption.
    if (stop.signal.aborted) return stop.signal.reason === 'SIGINT' ? 130 : 0;
    if (error instanceof WhcliError) {
      // A message may quote what a sender or handler sent (a status line, an id): never raw.
      if (error.message) process.stderr.write(`whcli: ${sanitize(error.message)}\n`);
      return error.exitCode;
    }
    const detail = process.env.WHCLI_DEBUG ? (error as Error).stack : (error as Error).message;
    process.stderr.write(`whcli: unexpected error: ${(detail ?? '').split('\n').map(sanitize).join('\n')} (set WHCLI_DEBUG=1 for details)\n`);
    return 1;
  }
}

// Exit once stdout and stderr are flushed: when they are pipes, writes are asynchronous, and exiting
// at once cut `whcli history --json | jq` short past 64 KiB (found by test/faults/handler-down-then-up).
main().then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
