// Start-up: the commands people run in loops and CI, wall time against `node -e 0`, same run,
// interleaved so drift in the machine's load touches every command alike.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BIN, fmt, percentile } from './lib.mjs';

const work = mkdtempSync(join(tmpdir(), 'whcli-startup-'));
const body = join(work, 'body.json');
writeFileSync(body, '{"event":"charge.success","data":{"id":1}}');
// A project as `whcli init` leaves it: every command reads and validates its config file.
const project = join(work, 'project');
mkdirSync(project);
writeFileSync(join(project, 'whcli.config.json'), JSON.stringify({ provider: 'paystack', secret: 'sk_bench', forward: 'localhost:3000/webhooks' }));

export const STARTUP_COMMANDS = [
  { command: 'whcli --version', args: ['--version'] },
  { command: 'whcli --help', args: ['--help'] },
  { command: 'whcli verify --help', args: ['verify', '--help'] },
  { command: 'whcli trigger invoice.paid --dry-run', args: ['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', 'whsec_bench', '--dry-run'] },
  { command: 'whcli sign --provider paystack', args: ['sign', '--provider', 'paystack', '--secret', 'sk_bench', '--file', body] },
  { command: 'whcli sign, in a project with a whcli.config.json', args: ['sign', '--file', body], cwd: project },
];

function time(args, runs, cwd = work) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    // A directory with no whcli.config.json above it: the commands run as on a fresh machine.
    const result = spawnSync(process.execPath, args, { stdio: 'ignore', cwd, env: { ...process.env, NO_COLOR: '1', WHCLI_HOME: work } });
    samples.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  }
  return samples;
}

export function runStartup(runs = Number(process.env.BENCH_STARTUP_RUNS ?? 30)) {
  const rounds = 5;
  const node = [];
  const samples = STARTUP_COMMANDS.map(() => []);
  for (let round = 0; round < rounds; round++) {
    node.push(...time(['-e', '0'], runs / rounds));
    STARTUP_COMMANDS.forEach((c, i) => samples[i].push(...time([BIN, ...c.args], runs / rounds, c.cwd)));
  }
  rmSync(work, { recursive: true, force: true });
  const base = percentile(node, 50);
  return [
    { command: 'node -e 0 (baseline)', ms: base, ratio: 1 },
    ...STARTUP_COMMANDS.map((c, i) => ({ command: c.command, ms: percentile(samples[i], 50), ratio: percentile(samples[i], 50) / base })),
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
