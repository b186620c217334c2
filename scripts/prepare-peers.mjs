#!/usr/bin/env node
// Prepares the real peers the tests and benchmarks run beside whcli (today: the smee.io server) from
// ../shared/peers, into .peers/ (git-ignored): a copy with its production dependencies installed.
// Without ../shared it says so and does nothing; the tests that need a peer then skip loudly.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '..', 'shared', 'peers');

for (const name of ['smee.io']) {
  const from = join(shared, name);
  const to = join(root, '.peers', name);
  if (!existsSync(from)) {
    console.log(`peers: ${from} is absent; the tests that run beside ${name} will be skipped`);
    continue;
  }
  const lock = (dir) => (existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json'), 'utf8') : '');
  if (existsSync(join(to, 'node_modules')) && lock(from) === lock(to)) continue;
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (src) => !src.includes(`${name}/node_modules`) });
  console.log(`peers: installing ${name} into .peers/${name}`);
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: to, stdio: 'inherit' });
}
