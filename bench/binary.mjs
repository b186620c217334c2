// The standalone binary (dist/whcli, `npm run build:binary`): its size, and the wall time of
// `--version` and `trigger --dry-run` against `node -e 0` and against the npm install's
// `node bin/whcli.js`, all in one interleaved run. `node bench/binary.mjs --write` also writes
// bench/RESULTS-binary.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BIN, fmt, machine, percentile, ROOT } from './lib.mjs';

const BINARY = join(ROOT, 'dist', 'whcli');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 30);
const home = mkdtempSync(join(tmpdir(), 'whcli-bench-binary-'));
process.on('exit', () => rmSync(home, { recursive: true, force: true }));

const DRY_RUN = ['trigger', 'push', '--provider', 'github', '--secret', 's', '--dry-run'];
const CASES = [
  ['node -e 0 (baseline)', process.execPath, ['-e', '0']],
  ['dist/whcli --version', BINARY, ['--version']],
  ['node bin/whcli.js --version', process.execPath, [BIN, '--version']],
  ['dist/whcli trigger --dry-run', BINARY, DRY_RUN],
  ['node bin/whcli.js trigger --dry-run', process.execPath, [BIN, ...DRY_RUN]],
];

function once(command, args) {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'ignore', env: { ...process.env, WHCLI_HOME: home, NO_COLOR: '1' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}

export function runBinaryBench(runs = RUNS) {
  const samples = CASES.map(() => []);
  // Round-robin, so drift in the machine's load touches every case alike.
  for (let i = 0; i < runs; i++) CASES.forEach(([, command, args], c) => samples[c].push(once(command, args)));
  const node = percentile(samples[0], 50);
  return {
    sizeMiB: statSync(BINARY).size / 2 ** 20,
    rows: CASES.map(([label], c) => ({ label, ms: percentile(samples[c], 50), ratio: percentile(samples[c], 50) / node })),
  };
}

export function binaryTable({ rows }) {
  return ['| command | median wall time | × node -e 0 |', '| --- | ---: | ---: |', ...rows.map((r) => `| ${r.label} | ${fmt(r.ms, 1)} ms | ${fmt(r.ratio)} |`)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  statSync(BINARY); // fails clearly when the binary was not built
  const result = runBinaryBench();
  const table = binaryTable(result);
  console.log(`dist/whcli: ${fmt(result.sizeMiB, 1)} MiB\n\n${table}`);
  if (process.argv.includes('--write')) {
    writeFileSync(
      join(ROOT, 'bench', 'RESULTS-binary.md'),
      `# Standalone binary

Written by \`node bench/binary.mjs --write\` on ${new Date().toISOString().slice(0, 10)}, after \`npm run build:binary\`.
Machine: ${machine()} (\`nproc\`: ${spawnSync('nproc').stdout?.toString().trim() || '?'}).

\`dist/whcli\` (linux-x64, Node ${process.version} inside, fixtures and the inspector page as SEA assets,
V8 code cache on): **${fmt(result.sizeMiB, 1)} MiB**, almost all of it the node binary itself.

Median wall time of ${RUNS} runs each, interleaved, process start to exit:

${table}

The binary starts from a V8 code cache made at build time (\`useCodeCache\`), so it skips compiling its
bundle at start-up; \`--version\` through the npm install answers before loading the CLI at all (src/main.ts).
In one quick comparison on this machine, a build without the code cache took about 1.4× \`node -e 0\`
for \`--version\`, against about 1.0× with it.
`,
    );
  }
}
