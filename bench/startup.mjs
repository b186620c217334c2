// Start-up: `whcli --version` and `whcli --help` wall time against `node -e 0`, same run.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { BIN, fmt, percentile } from './lib.mjs';

function time(args, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    samples.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  }
  return percentile(samples, 50);
}

export function runStartup(runs = Number(process.env.BENCH_STARTUP_RUNS ?? 30)) {
  // Interleave so drift in machine load touches every command alike.
  const totals = { node: [], version: [], help: [] };
  for (let round = 0; round < 3; round++) {
    totals.node.push(time(['-e', '0'], runs / 3));
    totals.version.push(time([BIN, '--version'], runs / 3));
    totals.help.push(time([BIN, '--help'], runs / 3));
  }
  const median = (xs) => percentile(xs, 50);
  const node = median(totals.node);
  return [
    { command: 'node -e 0 (baseline)', ms: node, ratio: 1 },
    { command: 'whcli --version', ms: median(totals.version), ratio: median(totals.version) / node },
    { command: 'whcli --help', ms: median(totals.help), ratio: median(totals.help) / node },
  ];
}

export function startupTable(rows) {
  const lines = ['| command | median wall time | × node -e 0 |', '| --- | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.command} | ${fmt(r.ms, 1)} ms | ${fmt(r.ratio)} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(startupTable(runStartup()));
}
