/**
 * The real smee.io server (../shared/peers/smee.io, prepared into .peers/ by scripts/prepare-peers.mjs)
 * on a free loopback port, for the tests of `whcli listen --source`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const prepared = join(root, '.peers', 'smee.io');
const shared = resolve(root, '..', 'shared', 'peers', 'smee.io');

/** Why the smee tests cannot run here, or undefined when they can. */
export function smeeUnavailable(): string | undefined {
  if (existsSync(join(prepared, 'node_modules'))) return undefined;
  if (!existsSync(shared)) return `the smee.io peer is absent (${shared}): the smee tests are SKIPPED`;
  // ../shared is here: a missing preparation is a setup error, not a reason to skip.
  throw new Error(`the smee.io peer is not prepared: run "node scripts/prepare-peers.mjs" (npm test runs it)`);
}

export interface SmeeServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the smee.io server and resolves once it listens. */
export async function startSmeeServer(): Promise<SmeeServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, ['index.js'], {
      cwd: prepared,
      env: { PATH: process.env.PATH, PORT: String(port), NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const listening = new Promise<boolean>((done) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Server listening at')) done(true);
        if (output.includes('EADDRINUSE')) done(false);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', () => done(false));
    });
    if (await listening) {
      return {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGKILL');
            await once(child, 'exit');
          }
        },
      };
    }
    child.kill('SIGKILL');
    // Another process took the free port between our probe and smee's listen: try another.
    if (attempt >= 5) throw new Error(`smee.io did not start:\n${output}`);
  }
}
