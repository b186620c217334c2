import { CommanderError, type Command } from 'commander';
import { createProgram, type ProgramDeps } from './cli-program.js';
import { exitWhenFlushed } from './exit.js';
import { WhcliError } from './errors.js';
import { sanitize } from './ui/sanitize.js';

/**
 * Runs the program `build` makes for the command about to run (argv[2]) and maps what happened to an
 * exit code: 0 ok, 1 failure, 2 usage, 130 interrupted. Errors become one `whcli:` line, never a stack.
 */
export async function runCli(build: (deps: ProgramDeps, invoked?: string) => Command): Promise<number> {
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
    await build({ signal: stop.signal }, process.argv[2]).parseAsync(process.argv);
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

/** Runs a program with just the command(s) `add` registers: the one-command builds in src/entries. */
export function runCommand(add: (program: Command, deps: ProgramDeps) => unknown): void {
  exitWhenFlushed(
    runCli((deps) => {
      const program = createProgram();
      add(program, deps);
      return program;
    }),
  );
}
