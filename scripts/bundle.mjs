#!/usr/bin/env node
// Bundles the CLI for start-up speed, in two shapes:
// - dist/bundle/main.js: every command, ES modules, one chunk per lazily loaded part (esbuild code
//   splitting keeps `await import()` lazy), dependencies included;
// - dist/bundle/<command>.cjs for the commands people run in loops and CI (src/entries): one CommonJS
//   file each, what the command may need inlined and initialised only when first used, the heavy
//   dependencies (undici, ws, ...) in dist/bundle/vendor/*.cjs, required only when used. Node 20
//   spends about a millisecond per ES module file it loads; `sign` loaded twenty-two.
// Paths the code derives from import.meta.url stay right: every output sits two levels under the
// package root (../../fixtures), and the inspector's page is copied beside them (./public).
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

// `import process from 'node:process'` (env-paths, chalk) makes Node build that module's namespace
// from every property of process, stdin's getter among them: a ReadStream on fd 0 built at start-up,
// about 10 ms of every command. The global is the same object, read only where it is used.
const globalProcess = {
  name: 'global-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?process$/ }, () => ({ path: 'process', namespace: 'global-process' }));
    build.onLoad({ filter: /.*/, namespace: 'global-process' }, () => ({ contents: 'module.exports = globalThis.process;', loader: 'js' }));
  },
};

// The one-command builds leave these out: each goes to dist/bundle/vendor/<name>.cjs, required where
// it is first used, so `trigger --dry-run` never reads undici and `sign` never reads zod.
const VENDORED = ['undici', 'ws', 'ioredis', 'zod', '@inquirer/prompts', 'https-proxy-agent'];
const vendorFile = (name) => `./vendor/${name.replace(/^@/, '').replace('/', '-')}.cjs`;
const vendored = {
  name: 'vendored',
  setup(build) {
    build.onResolve({ filter: /./ }, (args) => (VENDORED.includes(args.path) ? { path: vendorFile(args.path), external: true } : undefined));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  // Optional native speed-ups that ws and ioredis load in try/catch when present.
  external: ['bufferutil', 'utf-8-validate'],
  // Comments and whitespace are most of some dependencies' bytes, and V8 scans every byte at start.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};

// zod loads its messages in some forty languages with every schema library; whcli reads config files
// with its English ones. Loading zod at all (any command run beside a whcli.config.json) took twice as
// long with the rest: 1.6 MB of source compiled for nothing.
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /locales[\\/]index\.c?js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(args.resolveDir, args.path.replace(/index(\.c?js)$/, 'en$1')) } : undefined,
    );
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(ROOT, 'src', 'main.ts')],
  outdir: OUT,
  splitting: true,
  format: 'esm',
  plugins: [lazyChildProcessForCommander, globalProcess, englishOnlyZod],
  define: { WHCLI_BUNDLED_VERSION: JSON.stringify(version) },
  // CommonJS dependencies bundled into ES modules still call require() and read __dirname.
  banner: {
    js: "import { createRequire as __whcliRequire } from 'node:module'; import { fileURLToPath as __whcliPath } from 'node:url'; const require = __whcliRequire(import.meta.url); const __filename = __whcliPath(import.meta.url); const __dirname = __whcliPath(new URL('.', import.meta.url));",
  },
});

const commonJs = {
  ...common,
  format: 'cjs',
  // import() of a bundled module becomes a require of its lazily initialised code, not a file.
  supported: { 'dynamic-import': false },
  banner: { js: 'var __whcli_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
};
const commands = await build({
  ...commonJs,
  metafile: true,
  entryPoints: readdirSync(join(ROOT, 'src', 'entries')).map((file) => join(ROOT, 'src', 'entries', file)),
  outdir: OUT,
  outExtension: { '.js': '.cjs' },
  plugins: [lazyChildProcessForCommander, globalProcess, vendored],
  define: { WHCLI_BUNDLED_VERSION: JSON.stringify(version), 'import.meta.url': '__whcli_import_meta_url' },
});
const used = new Set(Object.values(commands.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path)));
await Promise.all(
  VENDORED.filter((name) => used.has(vendorFile(name))).map((name) =>
    build({
      ...commonJs,
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: ROOT },
      outfile: join(OUT, vendorFile(name)),
      plugins: [englishOnlyZod],
      define: { 'import.meta.url': '__whcli_import_meta_url' },
    }),
  ),
);
cpSync(join(ROOT, 'src', 'inspector', 'public'), join(OUT, 'public'), { recursive: true });
