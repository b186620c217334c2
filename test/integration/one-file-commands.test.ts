/**
 * sign, trigger and verify start from builds of their own (src/entries → dist/bundle/<name>.cjs, run
 * by bin/whcli.js); every other command from the full CLI (dist/bundle/main.cjs). The two must be the
 * same program for these commands: same help, same errors, same exit codes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, runCli, tempDir } from '../helpers/foundation-cli.js';

const ONE_FILE = readdirSync(join(REPO_ROOT, 'src', 'entries')).map((file) => file.replace(/\.ts$/, ''));

/** The full CLI run directly, bypassing bin/whcli.js's choice of build. */
function runFullCli(args: string[]) {
  const home = tempDir('whcli-home-');
  try {
    const env = { ...process.env, NO_COLOR: '1', WHCLI_HOME: home.path };
    delete env.WHCLI_SECRET;
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'bundle', 'main.cjs'), ...args], { cwd: home.path, env, encoding: 'utf8' });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    home.remove();
  }
}

describe('the one-file commands', () => {
  it('are sign, trigger and verify, each built, and each routed by bin/whcli.js', () => {
    expect(ONE_FILE.sort()).toEqual(['sign', 'trigger', 'verify']);
    const bin = readFileSync(BIN, 'utf8');
    for (const name of ONE_FILE) {
      expect(existsSync(join(REPO_ROOT, 'dist', 'bundle', `${name}.cjs`)), name).toBe(true);
      expect(bin).toContain(`'${name}'`);
    }
  });

  it.each(ONE_FILE)('%s: the same help from its own build as from the full CLI', async (name) => {
    const own = await runCli([name, '--help']);
    const full = runFullCli([name, '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain(`Usage: whcli ${name}`);
    expect(own).toEqual(full);
  });

  it.each(ONE_FILE)('%s: the same one-line usage error and exit code 2 for an unknown option', async (name) => {
    const own = await runCli([name, '--no-such-option']);
    const full = runFullCli([name, '--no-such-option']);
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/^whcli: unknown option '--no-such-option'/);
    expect(own).toEqual(full);
  });

  it('sign gives the same signature from either build', async () => {
    const args = ['sign', '--provider', 'stripe', '--secret', 'whsec_test', '--timestamp', '1700000000', '--json'];
    const own = await runCli(args, { input: '{"id":"evt_1"}' });
    const home = tempDir('whcli-home-');
    try {
      const full = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'bundle', 'main.cjs'), ...args], { cwd: home.path, env: { ...process.env, NO_COLOR: '1', WHCLI_HOME: home.path }, input: '{"id":"evt_1"}', encoding: 'utf8' });
      expect(own.code).toBe(0);
      expect(JSON.parse(own.stdout).headers).toEqual(JSON.parse(full.stdout).headers);
      expect(JSON.parse(own.stdout).headers['Stripe-Signature']).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    } finally {
      home.remove();
    }
  });
});
