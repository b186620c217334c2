/**
 * The npm package as a user gets it: `npm pack`, install the tarball into an empty prefix, then run
 * the installed `whcli` (--help, and a trigger to a real handler on loopback). Uses the built dist/
 * (`npm test` builds it first) and npm's local cache, so no network is needed.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/foundation-cli.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let work: ReturnType<typeof tempDir>;
let packed: string[];
let installed: string;
let server: RecordingServer | undefined;

beforeAll(async () => {
  work = tempDir('whcli-package-');
  const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  // dist/ is already built; --ignore-scripts keeps prepack from rebuilding it under running tests.
  const { stdout } = await exec(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work.path], { cwd: REPO_ROOT, env: npmEnv });
  const [info] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  packed = info.files.map((f) => f.path);
  const tarball = join(work.path, info.filename);
  const prefix = join(work.path, 'prefix');
  const install = (mode: string) => exec(npm, ['install', mode, '--no-save', '--prefix', prefix, tarball], { cwd: work.path, env: npmEnv, timeout: 90_000 });
  try {
    await install('--offline');
  } catch {
    // Something not in the local cache: let npm fetch it.
    await install('--prefer-offline');
  }
  installed = join(prefix, 'node_modules', '.bin', 'whcli');
}, 240_000);

afterAll(() => work?.remove());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runInstalled(args: string[]) {
  const home = join(work.path, 'home');
  const env = { ...process.env, WHCLI_HOME: home, NO_COLOR: '1', WHCLI_SECRET: undefined, FORCE_COLOR: undefined };
  try {
    const { stdout, stderr } = await exec(installed, args, { cwd: work.path, env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the npm package', () => {
  it('holds bin, dist, fixtures and README, and nothing from tests, sources or the binary build', () => {
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/whcli.js', 'dist/main.js', 'dist/cli.js', 'fixtures/stripe/invoice.paid.json']));
    const stray = packed.filter((p) => /^(test|src|scripts|bench|examples|\.ci)\//.test(p) || p === 'dist/whcli' || p.startsWith('dist/sea/'));
    expect(stray).toEqual([]);
  });

  it('installs into an empty prefix with a working whcli bin', async () => {
    expect(readdirSync(join(work.path, 'prefix', 'node_modules'))).toContain('whcli');
    const version = await runInstalled(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const help = await runInstalled(['--help']);
    expect(help.code, help.stderr).toBe(0);
    for (const command of ['trigger', 'listen', 'verify', 'init', 'completion']) expect(help.stdout).toContain(command);
  });

  it('the installed whcli sends a signed fixture to a local handler', async () => {
    server = await startRecordingServer();
    const run = await runInstalled(['trigger', 'push', '--provider', 'github', '--forward', `${server.url}/hooks`, '--secret', 's']);
    expect(run.code, run.stderr).toBe(0);
    const received = await server.request(0);
    expect(received.url).toBe('/hooks');
    expect(received.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 's').update(received.body).digest('hex')}`);
  });
});
