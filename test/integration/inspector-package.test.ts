/**
 * The inspector's page ships: every file it serves is under dist/inspector/public in the npm package
 * (copied there by `npm run build`), and none of its sources are.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ASSETS } from '../../src/inspector/static-files.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('the npm package holds every file of the page under dist/inspector/public', async () => {
  // --ignore-scripts: pack what is built, without rebuilding under running tests.
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 60_000 });
  const files = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
  for (const name of Object.keys(ASSETS)) expect(files, `run npm run build to copy ${name}`).toContain(`dist/inspector/public/${name}`);
  expect(files.filter((f) => f.startsWith('src/'))).toEqual([]);
  expect(files).toContain('dist/inspector/server.js');
}, 240_000);
