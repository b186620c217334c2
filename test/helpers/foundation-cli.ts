/**
 * Runs the built CLI (`node bin/whcli.js`, i.e. dist/) as a real subprocess, with WHCLI_HOME in a
 * fresh temp dir (so no running-listener record from elsewhere is picked up) and NO_COLOR=1.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(REPO_ROOT, 'bin', 'whcli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory; defaults to a temp dir with no whcli.config.json above it. */
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
}

/** A temp dir removed by the returned function. */
export function tempDir(prefix = 'whcli-foundation-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs `whcli <args>` to completion. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const home = tempDir('whcli-home-');
  const cwd = options.cwd ?? home.path;
  const env: Record<string, string | undefined> = { ...process.env, WHCLI_SECRET: undefined, WHCLI_DEBUG: undefined, FORCE_COLOR: undefined, ...options.env, WHCLI_HOME: home.path, NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  try {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(options.input ?? '');
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  } finally {
    home.remove();
  }
}

/** A failed run: exactly one `whcli:` line on stderr, no stack trace, the given exit code. */
export function expectOneLineError(run: CliRun, exitCode: number, pattern?: RegExp): string {
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines, `stderr was:\n${run.stderr}`).toHaveLength(1);
  const line = lines[0]!;
  expect(line.startsWith('whcli:'), line).toBe(true);
  expect(run.stderr).not.toContain('    at ');
  expect(run.code, `stderr: ${run.stderr}`).toBe(exitCode);
  if (pattern) expect(line).toMatch(pattern);
  return line;
}
