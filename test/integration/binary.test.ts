/**
 * The standalone binary (dist/whcli, scripts/build-binary.mjs) on a machine without Node: run with
 * PATH=/nonexistent and by absolute path, it answers --version and sends a correctly signed fixture,
 * read from inside the binary, to a real handler on loopback.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/foundation-cli.js';
import { oracleAccepts } from '../helpers/foundation-oracles.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

const BINARY = join(REPO_ROOT, 'dist', 'whcli');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let home: ReturnType<typeof tempDir>;
let server: RecordingServer | undefined;

beforeAll(async () => {
  // Builds once for this file, and not at all when dist/whcli is newer than every input.
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts', 'build-binary.mjs'), '--if-stale'], { cwd: REPO_ROOT });
  home = tempDir('whcli-binary-');
}, 180_000);

afterAll(() => home?.remove());

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** No node anywhere: only what the binary carries. */
const bareEnv = () => ({ PATH: '/nonexistent', WHCLI_HOME: home.path, NO_COLOR: '1' });

async function runBinary(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(BINARY, args, { cwd: home.path, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('standalone binary', () => {
  it('is one executable file, and node is not on the PATH it runs with', () => {
    expect(statSync(BINARY).mode & 0o111).not.toBe(0);
    expect(spawnSync('node', ['-e', '0'], { env: bareEnv() }).error).toMatchObject({ code: 'ENOENT' });
  });

  it('--version prints the package version, with nothing on stderr', async () => {
    const run = await runBinary(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('--help lists the commands', async () => {
    const run = await runBinary(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['trigger', 'listen', 'verify', 'init', 'completion']) expect(run.stdout).toContain(command);
    expect(run.stderr).toBe('');
  });

  it('trigger push --provider github: the handler gets the body, HMAC-SHA256 signed', async () => {
    server = await startRecordingServer();
    const run = await runBinary(['trigger', 'push', '--provider', 'github', '--forward', `${server.url}/hooks`, '--secret', 's']);
    expect(run.stderr).not.toMatch(/warning/i);
    expect(run.code, run.stderr).toBe(0);
    expect(server.requests).toHaveLength(1);
    const received = server.requests[0]!;
    expect(received.url).toBe('/hooks');
    expect(received.headers['x-github-event']).toBe('push');
    const push = JSON.parse(received.body.toString('utf8')) as { ref: string; commits: unknown[] };
    expect(push.ref).toMatch(/^refs\/heads\//);
    expect(push.commits.length).toBeGreaterThan(0);
    // Computed here, from the bytes received: GitHub's documented scheme, not whcli's sign().
    const expected = Buffer.from(`sha256=${createHmac('sha256', 's').update(received.body).digest('hex')}`);
    const actual = Buffer.from(String(received.headers['x-hub-signature-256']));
    expect(actual.length === expected.length && timingSafeEqual(actual, expected)).toBe(true);
  });

  it('trigger invoice.paid --provider stripe: accepted by the stripe library', async () => {
    server = await startRecordingServer();
    const run = await runBinary(['trigger', 'invoice.paid', '--provider', 'stripe', '--forward', server.url, '--secret', 's', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; body: string };
    expect(result.ok).toBe(true);
    const received = await server.request(0);
    expect(received.body.toString('utf8')).toBe(result.body);
    expect(await oracleAccepts('stripe', 's', received.body, received.headers)).toBe(true);
  });
});
