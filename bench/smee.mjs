// The smee.io server (prepared into .peers/ by scripts/prepare-peers.mjs) and smee-client, each in its
// own process as users run them, as a path to compare whcli's with. Absent peer: undefined.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT } from './lib.mjs';

const SMEE_DIR = join(ROOT, '.peers', 'smee.io');
const SMEE_CLIENT = join(ROOT, 'node_modules', 'smee-client', 'bin', 'smee.js');

export function smeeAvailable() {
  return existsSync(join(SMEE_DIR, 'node_modules')) && existsSync(SMEE_CLIENT);
}

function waitForOutput(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${output}`)), 15_000);
    const onData = (chunk) => {
      output += chunk;
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}: ${output}`)));
  });
}

/** The smee server plus a smee-client forwarding one channel to `target`; stop() ends both. */
export async function startSmeePath(target) {
  const port = await freePort();
  const server = spawn(process.execPath, ['index.js'], { cwd: SMEE_DIR, env: { PATH: process.env.PATH, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(server, /Server listening at/, 'smee.io');
  // Fastify logs every request as JSON; drain it so a full pipe never stalls the server.
  server.stdout.resume();
  server.stderr.resume();
  const channel = `http://127.0.0.1:${port}/bench${Date.now()}`;
  const client = spawn(process.execPath, [SMEE_CLIENT, '--url', channel, '--target', target], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(client, /Connected/, 'smee-client');
  client.stdout.resume();
  client.stderr.resume();
  const stopOne = async (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  return { url: channel, clientPid: client.pid, stop: async () => Promise.all([stopOne(client), stopOne(server)]) };
}
