/**
 * Under umask 000 (where a mode-less mkdir gives 0777), `whcli listen` still creates the directories
 * holding its secrets 0700 and the files 0600: the channel token, history, the running-listener record.
 * A real `whcli listen` process started by a shell that set the umask first.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { BIN, makeHome, stopAllProcesses } from '../helpers/processes.js';
import { postEvent } from '../helpers/relay-client.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await stopAllProcesses();
  await closeAllHandlers();
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** `whcli listen --json` under umask 000; resolves with its ready line once it is connected. */
async function listenUnderOpenUmask(home: string, forward: string): Promise<Record<string, unknown>> {
  const env = { ...process.env, WHCLI_HOME: home, NO_COLOR: '1' };
  const child = spawn('sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, 'listen', '--json', '--port', '0', '--no-inspect', '--forward', forward], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines: Record<string, unknown>[] = [];
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready status in time\n${stdout}\n${stderr}`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      lines.splice(0, lines.length, ...stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>));
      if (lines.some((l) => l.type === 'status' && l.status === 'ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`whcli listen exited (${code})\n${stderr}`)));
  });
  await connected;
  return lines.find((l) => l.type === 'ready')!;
}

it('creates its directories 0700 and its files 0600 whatever the umask', async () => {
  // A home that does not exist yet, so whcli creates every level itself.
  const home = join(await makeHome(), 'nested', 'whcli-home');
  const handler = await startHandler();
  const ready = await listenUnderOpenUmask(home, handler.url);
  await postEvent(ready.url as string, '{"id":"evt_mode"}');
  await handler.waitForRequests(1);

  for (const dir of [home, join(home, 'config'), join(home, 'data'), join(home, 'state')]) expect(await modeOf(dir), dir).toBe(0o700);
  const state = join(home, 'state');
  const files = [join(home, 'config', 'channels.json'), ...(await readdir(state)).map((name) => join(state, name))];
  // History is written by a stream: wait until the delivery's entry is on disk.
  const history = join(home, 'data', 'history.ndjson');
  await expect.poll(async () => (await stat(history).catch(() => ({ size: 0 }))).size, { timeout: 10_000 }).toBeGreaterThan(0);
  for (const file of [...files, history]) expect(await modeOf(file), file).toBe(0o600);
});

it('tightens a directory of its own that an older version left open', async () => {
  const home = await makeHome();
  for (const dir of ['config', 'data', 'state']) {
    await mkdir(join(home, dir), { recursive: true });
    await chmod(join(home, dir), 0o777);
  }
  const handler = await startHandler();
  await listenUnderOpenUmask(home, handler.url);
  for (const dir of ['config', 'data', 'state']) expect(await modeOf(join(home, dir)), dir).toBe(0o700);
  const [child] = children;
  child!.kill('SIGTERM');
  await once(child!, 'exit');
});
