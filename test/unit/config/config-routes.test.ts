import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readConfigFile } from '../../../src/config/config-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whcli-config-routes-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(config: unknown) {
  const path = join(dir, 'whcli.config.json');
  await writeFile(path, JSON.stringify(config));
  return () => readConfigFile(path);
}

it('reads routes', async () => {
  const routes = [{ name: 'stripe', match: { path: '/stripe', events: ['invoice.*'] }, forward: '3000', provider: 'stripe', resign: false }];
  expect((await read({ routes }))().routes).toEqual(routes);
});

it('names the field of a bad route', async () => {
  await expect(async () => (await read({ routes: [{ name: 'a', match: {}, forward: '3000' }] }))()).rejects.toThrow(/routes\.0\.match: give match\.path, match\.events or both/);
  await expect(async () => (await read({ routes: [{ name: 'a', match: { path: 'x' }, forward: '3000' }] }))()).rejects.toThrow(/routes\.0\.match\.path: a path prefix starts with "\/"/);
  await expect(async () => (await read({ routes: [{ name: 'a', match: { path: '/x' }, forward: '3000', secrets: 'typo' }] }))()).rejects.toThrow(/routes\.0: unknown key "secrets" \(did you mean "secret"\?\)/);
});
