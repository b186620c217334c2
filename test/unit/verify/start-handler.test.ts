import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startHandler, type StartedHandler } from '../../../src/verify/start-handler.js';
import { isRunning } from '../../helpers/verify-process.js';

const dir = mkdtempSync(join(tmpdir(), 'whcli-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A parent that starts a long-lived child, the way `npm run dev` starts node: both must stop.
const PARENT = join(dir, 'parent.mjs');
writeFileSync(
  PARENT,
  `import { spawn } from 'node:child_process';
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log('tree ' + process.pid + ' ' + child.pid);
setInterval(() => {}, 1000);
`,
);
const STUBBORN = join(dir, 'stubborn.mjs');
writeFileSync(STUBBORN, `process.on('SIGTERM', () => console.log('ignoring SIGTERM'));\nconsole.log('ready');\nsetInterval(() => {}, 1000);\n`);

let started: StartedHandler[] = [];
afterEach(async () => {
  await Promise.all(started.map((h) => h.stop()));
  started = [];
});

function start(command: string, options: { graceMs?: number; tailLines?: number } = {}) {
  let onLine: (line: string) => void = () => {};
  const lines: string[] = [];
  const handler = startHandler(command, {
    cwd: dir,
    env: process.env,
    ...options,
    onOutput: (line) => {
      lines.push(line);
      onLine(line);
    },
  });
  started.push(handler);
  /** Resolves with the first output line matching `pattern`. */
  const lineMatching = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve) => {
      const check = (line: string) => {
        const match = pattern.exec(line);
        if (match) resolve(match);
      };
      lines.forEach(check);
      onLine = check;
    });
  return { handler, lineMatching };
}

describe('startHandler', () => {
  it('stops the whole process tree, grandchildren included', async () => {
    const { handler, lineMatching } = start(`node ${PARENT}`);
    const match = await lineMatching(/^tree (\d+) (\d+)$/);
    const [parent, child] = [Number(match[1]), Number(match[2])];
    expect(isRunning(parent)).toBe(true);
    expect(isRunning(child)).toBe(true);
    await handler.stop();
    expect(isRunning(parent)).toBe(false);
    expect(isRunning(child)).toBe(false);
    expect(isRunning(handler.pid)).toBe(false);
  });

  it('SIGKILLs a tree that ignores SIGTERM once the grace period is over', async () => {
    const { handler, lineMatching } = start(`node ${STUBBORN}`, { graceMs: 200 });
    await lineMatching(/^ready$/);
    await handler.stop();
    expect(isRunning(handler.pid)).toBe(false);
  });

  it('reports how the command exited on its own', async () => {
    const { handler } = start('node -e "process.exit(3)"');
    expect(await handler.exited).toEqual({ code: 3, signal: null });
    expect(handler.exit()).toEqual({ code: 3, signal: null });
    await handler.stop();
  });

  it('keeps the last lines of output, stdout and stderr', async () => {
    const { handler } = start('node -e "for (let i = 1; i <= 30; i++) console.log(\'line \' + i); console.error(\'oops\')"', { tailLines: 5 });
    await handler.exited;
    await handler.stop();
    const tail = handler.outputTail();
    expect(tail).toHaveLength(5);
    expect(tail).toContain('line 30');
    expect(tail).toContain('oops');
  });

  it('a missing command exits 127 with the shell\'s complaint', async () => {
    const { handler } = start('whcli-no-such-command-xyz');
    expect((await handler.exited).code).toBe(127);
    await handler.stop();
    expect(handler.outputTail().join('\n')).toMatch(/not found/);
  });

  it('stop is idempotent', async () => {
    const { handler, lineMatching } = start(`node ${STUBBORN}`, { graceMs: 100 });
    await lineMatching(/^ready$/);
    await Promise.all([handler.stop(), handler.stop()]);
    await handler.stop();
    expect(isRunning(handler.pid)).toBe(false);
  });
});
