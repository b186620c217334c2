import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultEnvVar, writeEnvVar } from '../../../src/config/env-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whcli-env-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeEnvVar', () => {
  it('appends after a last line without a newline, and replaces in place later', async () => {
    const file = join(dir, '.env');
    await writeFile(file, 'A=1');
    expect(await writeEnvVar(file, 'WEBHOOK_SECRET', 'one')).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('A=1\nWEBHOOK_SECRET=one\n');
    await writeFile(file, 'A=1\nWEBHOOK_SECRET=one\nB=2\n');
    await writeEnvVar(file, 'WEBHOOK_SECRET', 'two words');
    expect(await readFile(file, 'utf8')).toBe('A=1\nWEBHOOK_SECRET="two words"\nB=2\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('leaves a file that already says it unchanged', async () => {
    const file = join(dir, '.env');
    await writeFile(file, 'WEBHOOK_SECRET=same\n', { mode: 0o644 });
    expect(await writeEnvVar(file, 'WEBHOOK_SECRET', 'same')).toBe(false);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('does not touch a variable whose name only starts the same', async () => {
    const file = join(dir, '.env');
    await writeFile(file, 'WEBHOOK_SECRET_OLD=x\n');
    await writeEnvVar(file, 'WEBHOOK_SECRET', 'y');
    expect(await readFile(file, 'utf8')).toBe('WEBHOOK_SECRET_OLD=x\nWEBHOOK_SECRET=y\n');
  });

  it('refuses a name that is not a variable', async () => {
    await expect(writeEnvVar(join(dir, '.env'), 'NOT-A-NAME', 'x')).rejects.toThrow(/--env-var must be a variable name/);
  });
});

it('names the variable after the provider', () => {
  expect([defaultEnvVar('stripe'), defaultEnvVar('standard-webhooks'), defaultEnvVar(undefined)]).toEqual(['STRIPE_WEBHOOK_SECRET', 'STANDARD_WEBHOOKS_WEBHOOK_SECRET', 'WEBHOOK_SECRET']);
});
