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

// commander requires child_process at load only to run stand-alone executable subcommands, which
// whcli has none of; loading it (and net, dgram with it) was a few ms of every command's start-up.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let loaded; module.exports = { get spawn() { return (loaded ??= require('node:child_process')).spawn; } };",
      loader: 'js',
    }));
  },
};

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
  plugins: [lazyChildProcessForCommander],
  define: { WHCLI_BUNDLED_VERSION: JSON.stringify(version) },
  // CommonJS dependencies bundled into ES modules still call require() and read __dirname.
  banner: {
    js: "import { createRequire as __whcliRequire } from 'node:module'; import { fileURLToPath as __whcliPath } from 'node:url'; const require = __whcliRequire(import.meta.url); const __filename = __whcliPath(import.meta.url); const __dirname = __whcliPath(new URL('.', import.meta.url));",
  },
  // Comments and whitespace are most of some dependencies' bytes, and V8 scans every byte at start.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
cpSync(join(ROOT, 'src', 'inspector', 'public'), join(OUT, 'public'), { recursive: true });
