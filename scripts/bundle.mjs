#!/usr/bin/env node
// Bundles the CLI for start-up speed: dist/bundle/main.js and one chunk per lazily loaded part
// (esbuild code splitting keeps `await import()` lazy), dependencies included. Resolving and reading
// some sixty small modules was most of a short command's start-up; a handful of chunks is not.
// Paths the code derives from import.meta.url stay right: chunks sit two levels under the package
// root (../../fixtures), and the inspector's page is copied beside them (./public).
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'bundle');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: [join(ROOT, 'src', 'main.ts')],
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  // Optional native speed-ups that ws and ioredis load in try/catch when present.
  external: ['bufferutil', 'utf-8-validate'],
  define: { WHCLI_BUNDLED_VERSION: JSON.stringify(version) },
  // CommonJS dependencies bundled into ES modules still call require() and read __dirname.
  banner: {
    js: "import { createRequire as __whcliRequire } from 'node:module'; import { fileURLToPath as __whcliPath } from 'node:url'; const require = __whcliRequire(import.meta.url); const __filename = __whcliPath(import.meta.url); const __dirname = __whcliPath(new URL('.', import.meta.url));",
  },
  logLevel: 'warning',
});
cpSync(join(ROOT, 'src', 'inspector', 'public'), join(OUT, 'public'), { recursive: true });
