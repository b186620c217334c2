import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface StartOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Lines of the handler's output kept for error messages and reports. */
  tailLines?: number;
  /** How long the tree gets to exit after SIGTERM before SIGKILL. */
  graceMs?: number;
  /** Each line the handler prints, stdout and stderr alike. */
  onOutput?: (line: string) => void;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A handler process started by `--start`, with its whole process tree. */
export interface StartedHandler {
  command: string;
  pid: number;
  /** Settles when the command's own process has exited (its children may live on). */
  exited: Promise<ProcessExit>;
  /** Settled exit, once there is one. */
  exit(): ProcessExit | undefined;
  /** The last lines the handler printed. */
  outputTail(): string[];
  /** Stops every process the command started: SIGTERM, then SIGKILL after the grace period. */
  stop(): Promise<void>;
}

const isWindows = process.platform === 'win32';

/**
 * Runs `command` through the shell in a process group of its own, so that stopping it reaches
 * `npm run dev`'s grandchildren too (npm -> sh -> node), not just the shell.
 */
export function startHandler(command: string, options: StartOptions): StartedHandler {
  const child = spawn(command, {
    shell: true,
    // Its own process group: terminal Ctrl-C does not reach it (we stop it in order), and -pid kills the tree.
    detached: !isWindows,
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const tail: string[] = [];
  const keep = options.tailLines ?? 20;
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) record(line);
    });
    stream?.on('end', () => partial && record(partial));
  };
  const record = (line: string) => {
    tail.push(line);
    if (tail.length > keep) tail.shift();
    options.onOutput?.(line);
  };
  collect(child.stdout);
  collect(child.stderr);

  let settledExit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve((settledExit = { code, signal })));
    // spawn itself failed (no shell): report it as an exit so waiters stop waiting.
    child.once('error', (error) => {
      record(`whcli: could not start the handler: ${error.message}`);
      resolve((settledExit = { code: null, signal: null }));
    });
  });

  // A second Ctrl-C exits whcli at once, skipping stop(): take the tree down on the way out.
  const killOnExit = () => signalTree(child, 'SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  return {
    command,
    pid: child.pid ?? -1,
    exited,
    exit: () => settledExit,
    outputTail: () => [...tail],
    stop: () => {
      stopping ??= stopTree(child, options.graceMs ?? 5000).finally(() => process.removeListener('exit', killOnExit));
      return stopping;
    },
  };
}

function signalTree(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    if (isWindows) {
      if (signal === 'SIGKILL' || signal === 'SIGTERM') spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
      return true;
    }
    process.kill(-child.pid, signal);
    return true;
  } catch {
    // ESRCH: the group is already gone.
    return false;
  }
}

/** True while any process of the child's group is alive. */
function treeAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  if (isWindows) return child.exitCode === null && child.signalCode === null;
  try {
    process.kill(-child.pid, 0);
  } catch {
    return false;
  }
  return livingGroupMember(child.pid) ?? true;
}

/**
 * Whether a process group has a member that is not a zombie; undefined where /proc is missing.
 * Orphaned grandchildren are reaped by PID 1, which in containers may take a second or more:
 * a dead-but-unreaped process must not hold up the teardown.
 */
function livingGroupMember(pgid: number): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

async function waitUntilGone(child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (treeAlive(child)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

async function stopTree(child: ChildProcess, graceMs: number): Promise<void> {
  if (!signalTree(child, 'SIGTERM')) return;
  if (await waitUntilGone(child, graceMs)) return;
  signalTree(child, 'SIGKILL');
  await waitUntilGone(child, 1000);
}
