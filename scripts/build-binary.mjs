#!/usr/bin/env node
// Builds dist/whcli: one executable with Node and whcli inside, nothing else needed on the machine.
// Node's Single Executable Applications, offline: esbuild bundles src/main.ts into one CommonJS file,
// `node --experimental-sea-config` turns it and the fixtures into a blob, and postject injects the
// blob into a copy of this very node binary. The binary is for the platform this runs on.
//
//   node scripts/build-binary.mjs             build
//   node scripts/build-binary.mjs --if-stale  build only when an input is newer than dist/whcli
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'whcli');
const WORK = join(ROOT, 'dist', 'sea');
// Node's documented fuse; the node binary holds it once, and postject flips it to say "blob inside".
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

// Optional packages that are require()d inside try/catch and done without when missing: ws's native
// speed-ups, and debug's (ioredis) colour detection. Left external, the binary's require() (built-ins
// only) would print a warning each time; as a module that throws, they are quietly absent.
const absentOptionals = {
  name: 'absent-optionals',
  setup(build) {
    build.onResolve({ filter: /^(bufferutil|utf-8-validate|supports-color)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    build.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in the standalone binary`)});`,
      loader: 'js',
    }));
  },
};

/** Every file under dir, depth first. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const inputs = () => [
  ...walk(join(ROOT, 'src')),
  ...walk(join(ROOT, 'fixtures')),
  join(ROOT, 'package.json'),
  join(ROOT, 'package-lock.json'),
  fileURLToPath(import.meta.url),
  process.execPath,
];

/** Runs node with args; its chatter (postject's LIEF prints harmless ELF warnings) shows only on failure. */
function runNode(args) {
  try {
    execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
    throw new Error(`node ${args.join(' ')} failed`);
  }
}

function isFresh() {
  let built;
  try {
    built = statSync(OUT).mtimeMs;
  } catch {
    return false;
  }
  return inputs().every((file) => statSync(file).mtimeMs <= built);
}

async function main() {
  if (process.argv.includes('--if-stale') && isFresh()) {
    console.log(`${relative(process.cwd(), OUT)} is up to date`);
    return;
  }
  // macOS and Windows also need the signature removed and redone around the injection; not done here.
  if (process.platform !== 'linux') throw new Error(`only Linux binaries are built here, not ${process.platform}`);
  const started = performance.now();
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  // The bundle sits two levels below the package root, like dist/fixtures/load.js, so running it with
  // plain `node dist/sea/whcli.cjs` still finds ../../fixtures on disk (handy when debugging).
  const bundle = join(WORK, 'whcli.cjs');
  await build({
    entryPoints: [join(ROOT, 'src', 'main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [absentOptionals],
    // The SEA main script runs as CommonJS with a require() for built-ins only and no import():
    // turn every dynamic import into a require.
    supported: { 'dynamic-import': false },
    // import.meta does not exist in CommonJS; give it the bundle's own location. Inside the binary
    // __filename is the executable's path.
    banner: { js: 'var __whcli_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    define: {
      'import.meta.url': '__whcli_import_meta_url',
      WHCLI_BUNDLED_VERSION: JSON.stringify(version),
      // Fixtures and the inspector's page are read from the binary's assets (src/standalone.ts).
      WHCLI_STANDALONE: 'true',
    },
  });

  // Files read at run time travel as SEA assets: the fixtures keyed by their path in the package
  // (fixtures/<provider>/<event>.json, see src/fixtures/load.ts), the inspector's page as
  // inspector/<file> (see src/inspector/static-files.ts).
  const assetsUnder = (dir, prefix) =>
    existsSync(dir) ? walk(dir).map((file) => [`${prefix}/${relative(dir, file).split(sep).join('/')}`, file]) : [];
  const assets = Object.fromEntries([
    ...assetsUnder(join(ROOT, 'fixtures'), 'fixtures'),
    ...assetsUnder(join(ROOT, 'src', 'inspector', 'public'), 'inspector'),
  ]);
  const blob = join(WORK, 'sea-prep.blob');
  const seaConfig = join(WORK, 'sea-config.json');
  writeFileSync(
    seaConfig,
    `${JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2)}\n`,
  );
  runNode(['--experimental-sea-config', seaConfig]);

  // Inject into a copy in dist/sea (left out of the npm package, like dist/whcli), then rename: a
  // half-built file is never at dist/whcli.
  const temp = join(WORK, `whcli.tmp-${process.pid}`);
  try {
    copyFileSync(process.execPath, temp);
    chmodSync(temp, 0o755);
    runNode([join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js'), temp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL_FUSE]);
    renameSync(temp, OUT);
  } finally {
    rmSync(temp, { force: true });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const mb = (statSync(OUT).size / 1024 / 1024).toFixed(1);
  console.log(`built ${relative(process.cwd(), OUT)} (whcli ${version}, node ${process.version}, ${process.platform}-${process.arch}): ${mb} MiB in ${seconds} s`);
}

main().catch((error) => {
  console.error(`build-binary: ${error.message}`);
  process.exitCode = 1;
});
