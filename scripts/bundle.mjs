#!/usr/bin/env node
// Bundles the CLI for start-up speed: one CommonJS file per command people run in loops and CI
// (src/entries: dist/bundle/sign.cjs, trigger.cjs, verify.cjs) and one for everything else
// (src/main.ts: dist/bundle/main.cjs); bin/whcli.js picks one. Each file holds the code its commands
// may need, dependencies included, initialised only when first used (a lazy `import()` becomes a
// require of code in the same file). The heavy dependencies (undici, ws, zod, ...) are files of
// their own in dist/bundle/vendor, required where first used: `trigger --dry-run` never reads undici.
// One file instead of ES modules: Node 20 spends about a millisecond on each ES module it loads (sign
// loaded twenty-two) and more to start its ES module loader at all.
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

// Each goes to dist/bundle/vendor/<name>.cjs, required where it is first used.
const VENDORED = ['undici', 'ws', 'ioredis', 'zod', '@inquirer/prompts', 'https-proxy-agent'];
const vendorFile = (name) => `./vendor/${name.replace(/^@/, '').replace('/', '-')}.cjs`;
const vendored = {
  name: 'vendored',
  setup(build) {
    build.onResolve({ filter: /./ }, (args) => (VENDORED.includes(args.path) ? { path: vendorFile(args.path), external: true } : undefined));
  },
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

// zod's file holds just the functions whcli's code calls (`z.<name>(`, found in src; a call written
// otherwise would need adding here): the rest is three fifths of zod, and every command run beside a
// whcli.config.json loads it.
function zodFunctionsCalled() {
  const names = new Set();
  for (const file of readdirSync(join(ROOT, 'src'), { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    for (const [, name] of readFileSync(join(ROOT, 'src', file), 'utf8').matchAll(/\bz\.([a-z]\w*)\(/g)) names.add(name);
  }
  return [...names].sort();
}
const vendorEntry = (name) =>
  name === 'zod' ? `export { ${zodFunctionsCalled().join(', ')} } from 'zod';` : `module.exports = require(${JSON.stringify(name)});`;

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Optional native speed-ups that ws and ioredis load in try/catch when present.
  external: ['bufferutil', 'utf-8-validate'],
  // import() of a bundled module becomes a require of its lazily initialised code, not a file.
  supported: { 'dynamic-import': false },
  // import.meta does not exist in CommonJS: give it the file's own location.
  banner: { js: 'var __whcli_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { WHCLI_BUNDLED_VERSION: JSON.stringify(version), 'import.meta.url': '__whcli_import_meta_url' },
  // Comments and whitespace are most of some dependencies' bytes, and V8 scans every byte at start.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(OUT, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [...readdirSync(join(ROOT, 'src', 'entries')).map((file) => join(ROOT, 'src', 'entries', file)), join(ROOT, 'src', 'main.ts')],
  outdir: OUT,
  outExtension: { '.js': '.cjs' },
  entryNames: '[name]',
  plugins: [lazyChildProcessForCommander, vendored],
});
await Promise.all(
  VENDORED.map((name) =>
    build({
      ...common,
      stdin: { contents: vendorEntry(name), resolveDir: ROOT },
      outfile: join(OUT, vendorFile(name)),
      plugins: [englishOnlyZod],
    }),
  ),
);
cpSync(join(ROOT, 'src', 'inspector', 'public'), join(OUT, 'public'), { recursive: true });
