/**
 * `whcli listen --env-file`: the secret the listener signs with is written into the app's dotenv file,
 * one line created or updated, every other byte kept, mode 0600. Node 20 itself reads an `--env-file`
 * argument (and exits when the file is missing), so a missing file is given with the `--dotenv` alias.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, runCli, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';

afterEach(async () => {
  await stopAllProcesses();
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('whcli listen --env-file', () => {
  it("creates the file with the provider's variable, mode 0600", async () => {
    const dir = await makeHome();
    const file = join(dir, '.env');
    await startListenerProcess(await makeHome(), ['--port', '0', '--no-inspect', '-f', '3000', '-p', 'stripe', '-s', 'whsec_new', '--dotenv', file]);
    expect(await readFile(file, 'utf8')).toBe('STRIPE_WEBHOOK_SECRET=whsec_new\n');
    expect(await mode(file)).toBe(0o600);
  });

  it('updates only its line, keeping every other byte, and tightens the mode', async () => {
    const dir = await makeHome();
    const file = join(dir, '.env');
    const before = 'DATABASE_URL="postgres://x"\r\n# the webhook secret\nexport GITHUB_WEBHOOK_SECRET=old # stale\n\nLAST=1';
    await writeFile(file, before, { mode: 0o644 });
    await startListenerProcess(await makeHome(), ['--port', '0', '--no-inspect', '-f', '3000', '-p', 'github', '-s', 'new s3cret"', '--env-file', file]);
    expect(await readFile(file, 'utf8')).toBe('DATABASE_URL="postgres://x"\r\n# the webhook secret\nexport GITHUB_WEBHOOK_SECRET="new s3cret\\""\n\nLAST=1');
    expect(await mode(file)).toBe(0o600);
  });

  it('takes the variable name from --env-var and writes each route its own', async () => {
    const dir = await makeHome();
    const named = join(dir, 'named.env');
    await startListenerProcess(await makeHome(), ['--port', '0', '--no-inspect', '-f', '3000', '-p', 'stripe', '-s', 'whsec_a', '--dotenv', named, '--env-var', 'MY_SECRET']);
    expect(await readFile(named, 'utf8')).toBe('MY_SECRET=whsec_a\n');

    const routed = join(dir, 'routes.env');
    await startListenerProcess(await makeHome(), ['--port', '0', '--no-inspect', '--route', 's:/s=3000@stripe', '--route', 'g:/g=4000@github', '--dotenv', routed], true, {
      WHCLI_SECRET_S: 'whsec_s',
      WHCLI_SECRET_G: 'gh_g',
    });
    expect(await readFile(routed, 'utf8')).toBe('STRIPE_WEBHOOK_SECRET=whsec_s\nGITHUB_WEBHOOK_SECRET=gh_g\n');
  });

  it('needs a secret to write, and --env-file for --env-var', async () => {
    const home = await makeHome();
    const none = await runCli(['listen', '--port', '0', '--no-inspect', '-f', '3000', '--dotenv', join(home, '.env')], home);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toMatch(/^whcli: --env-file writes the secret whcli signs with/);
    const lone = await runCli(['listen', '--port', '0', '--no-inspect', '-f', '3000', '--env-var', 'X'], home);
    expect(lone.code).toBe(2);
    expect(lone.stderr.trim()).toMatch(/^whcli: --env-var names the variable --env-file writes/);
  });
});
