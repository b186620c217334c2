/**
 * Runs the built CLI (`node bin/whcli.js`) as real child processes for the tunnel and relay tests.
 * Every process started here is tracked, so `stopAllProcesses()` in `afterEach` kills what a failing
 * test left behind. Waits are on output events, each bounded by a deadline.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/whcli.js', import.meta.url));

/** How long any single wait on a process may take before the test fails with its output. */
export const WAIT_MS = 10_000;

export type JsonLine = Record<string, unknown> & { type?: string };

const running = new Set<CliProcess>();
const homes = new Set<string>();

/** A fresh WHCLI_HOME (saved channels, history, running-listener records); removed by `stopAllProcesses`. */
export async function makeHome(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'whcli-tunnel-'));
  homes.add(dir);
  return dir;
}

function childEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    ...process.env,
    WHCLI_SECRET: undefined,
    WHCLI_DEBUG: undefined,
    FORCE_COLOR: undefined,
    NO_COLOR: '1',
    ...extra,
    WHCLI_HOME: home,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env as NodeJS.ProcessEnv;
}

/** One running `whcli` process: its NDJSON stdout parsed line by line, stderr kept as text. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Parsed JSON objects printed on stdout, in order. */
  readonly lines: JsonLine[] = [];
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined;
  exitSignal: NodeJS.Signals | null | undefined;
  readonly exited: Promise<void>;
  private readonly events = new EventEmitter();
  private partial = '';

  constructor(
    readonly args: readonly string[],
    home: string,
    env?: Record<string, string | undefined>,
  ) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: childEnv(home, env), stdio: 'pipe' });
    this.child.stdin.end();
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.events.emit('output');
    });
    this.exited = once(this.child, 'exit').then(([code, signal]) => {
      this.exitCode = code as number | null;
      this.exitSignal = signal as NodeJS.Signals | null;
      running.delete(this);
      this.events.emit('output');
    });
    running.add(this);
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  private onStdout(chunk: string): void {
    this.stdout += chunk;
    this.partial += chunk;
    let newline: number;
    while ((newline = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, newline);
      this.partial = this.partial.slice(newline + 1);
      if (!line.startsWith('{')) continue;
      try {
        this.lines.push(JSON.parse(line) as JsonLine);
      } catch {
        // Pretty-printed JSON (history, trigger) is read whole from `stdout` instead.
      }
    }
    this.events.emit('output');
  }

  /** Resolves once `check` returns a value other than undefined, re-checked on every output. */
  async waitFor<T>(check: () => T | undefined, what: string, timeoutMs = WAIT_MS): Promise<T> {
    const first = check();
    if (first !== undefined) return first;
    return new Promise<T>((resolve, reject) => {
      const finish = (error?: Error, value?: T) => {
        clearTimeout(timer);
        this.events.off('output', onOutput);
        if (error) reject(error);
        else resolve(value as T);
      };
      const onOutput = () => {
        const value = check();
        if (value !== undefined) return finish(undefined, value);
        if (!this.alive) finish(new Error(`whcli ${this.args[0]} exited (${this.exitCode ?? this.exitSignal}) before ${what}\n${this.describe()}`));
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs}ms waiting for ${what}\n${this.describe()}`)), timeoutMs);
      this.events.on('output', onOutput);
    });
  }

  /** The first NDJSON line at or after index `from` that matches. */
  waitForLine(match: (line: JsonLine) => boolean, what: string, from = 0, timeoutMs = WAIT_MS): Promise<JsonLine> {
    return this.waitFor(() => this.lines.slice(from).find(match), what, timeoutMs);
  }

  /** Resolves when stderr matches `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs = WAIT_MS): Promise<RegExpMatchArray> {
    return this.waitFor(() => this.stderr.match(pattern) ?? undefined, `stderr matching ${pattern}`, timeoutMs);
  }

  /** Sends a signal and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.child.kill(signal);
    await this.exited;
  }

  describe(): string {
    const tail = (text: string) => text.split('\n').slice(-15).join('\n');
    return `--- stdout of whcli ${this.args.join(' ')}\n${tail(this.stdout)}\n--- stderr\n${tail(this.stderr)}`;
  }
}

/** Starts `whcli <args>` in the background. */
export function startCli(args: readonly string[], home: string, env?: Record<string, string | undefined>): CliProcess {
  return new CliProcess(args, home, env);
}

/** Runs `whcli <args>` to completion (bounded by `timeoutMs`). */
export async function runCli(
  args: readonly string[],
  home: string,
  env?: Record<string, string | undefined>,
  timeoutMs = WAIT_MS,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = new CliProcess(args, home, env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  await proc.exited;
  clearTimeout(timer);
  return { code: proc.exitCode ?? null, stdout: proc.stdout, stderr: proc.stderr };
}

/** Kills every process still running (SIGKILL) and removes the temp homes. For `afterEach`. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.kill('SIGKILL')));
  await Promise.all([...homes].map((dir) => rm(dir, { recursive: true, force: true })));
  homes.clear();
}

export interface RelayProcess {
  proc: CliProcess;
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
}

/** `whcli relay --port 0 --json` (or the given port), once it listens. */
export async function startRelayProcess(home: string, extraArgs: readonly string[] = [], port = 0): Promise<RelayProcess> {
  const proc = startCli(['relay', '--port', String(port), '--json', ...extraArgs], home);
  const line = await proc.waitForLine((l) => l.type === 'listening', 'the relay to listen');
  return { proc, url: line.url as string, port: line.port as number };
}

export interface ListenerProcess {
  proc: CliProcess;
  /** The `{"type":"ready"}` line: url, channel, relay, ... */
  ready: JsonLine & { url: string; channel: string; relay: string };
}

/**
 * `whcli listen --json ...args`, once it printed its ready line and (unless `connected` is false) its
 * WebSocket to the relay is up.
 */
export async function startListenerProcess(home: string, args: readonly string[], connected = true, env?: Record<string, string | undefined>): Promise<ListenerProcess> {
  const proc = startCli(['listen', '--json', ...args], home, env);
  const ready = (await proc.waitForLine((l) => l.type === 'ready', 'the listener ready line')) as ListenerProcess['ready'];
  if (connected) await proc.waitForLine((l) => l.type === 'status' && l.status === 'ready', 'the listener to connect');
  return { proc, ready };
}

/** Delivery lines printed so far, in order. */
export function deliveries(proc: CliProcess): JsonLine[] {
  return proc.lines.filter((l) => l.type === 'delivery');
}
