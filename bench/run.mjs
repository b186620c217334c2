// Runs every benchmark and writes bench/RESULTS.md. `npm run bench`; BENCH_EVENTS shrinks the runs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eTable, runE2E } from './e2e.mjs';
import { idleTable, runIdle } from './idle.mjs';
import { fmt, machine, ROOT } from './lib.mjs';
import { runStartup, startupTable } from './startup.mjs';
import { runVerifyBench, verifyTable } from './verify.mjs';

const log = (text) => process.stderr.write(`bench: ${text}\n`);

log('start-up');
const startup = runStartup();
log('verify');
const verify = await runVerifyBench();
log('idle listeners');
const idle = await runIdle();
log('end to end (this takes a few minutes)');
const e2e = await runE2E();

const row = (label, c) => e2e.find((r) => r.label.startsWith(label) && r.concurrency === c);
const verdict = (ok) => (ok ? 'met' : '**missed**');
const embedded64 = row('whcli listen, embedded', 64);
const relay64 = row('whcli listen + whcli relay', 64);
const embedded1 = row('whcli listen, embedded', 1);
const relay1 = row('whcli listen + whcli relay', 1);
const idle10k = idle.find((r) => r.count === 10_000);
const version = startup.find((r) => r.command === 'whcli --version');
const verify4 = verify.find((r) => r.concurrency === 4);

const targets = [
  ['Relay path throughput ≥ 0.7× direct at concurrency 64: embedded relay', `${fmt(embedded64.ratio)}×`, verdict(embedded64.ratio >= 0.7)],
  ['… standalone relay', `${fmt(relay64.ratio)}×`, verdict(relay64.ratio >= 0.7)],
  ['Added latency at concurrency 1 ≤ 0.3 ms p50: embedded relay', `+${fmt(embedded1.addedP50)} ms`, verdict(embedded1.addedP50 <= 0.3)],
  ['… standalone relay', `+${fmt(relay1.addedP50)} ms`, verdict(relay1.addedP50 <= 0.3)],
  ['Added latency at concurrency 1 ≤ 2 ms p99: embedded relay', `+${fmt(embedded1.addedP99)} ms`, verdict(embedded1.addedP99 <= 2)],
  ['… standalone relay', `+${fmt(relay1.addedP99)} ms`, verdict(relay1.addedP99 <= 2)],
  ['10,000 idle listeners ≤ 300 MB relay RSS', `${fmt(idle10k.after, 0)} MB`, verdict(idle10k.after <= 300)],
  ['`whcli --version` ≤ 1.5× `node -e 0`', `${fmt(version.ratio)}×`, verdict(version.ratio <= 1.5)],
  ['`verify` within 1.5× of its ideal (default concurrency 4)', `${fmt(verify4.ratio)}×`, verdict(verify4.ratio <= 1.5)],
];

const text = `# Benchmark results

Written by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}. Everything runs on loopback on this one machine, so the load generator, the
handler, the relay and the listener share its cores; every figure is a ratio against a baseline taken
in the same run, because the machine is shared and noisy.

## Targets

| target | measured | |
| --- | --- | --- |
${targets.map((t) => `| ${t.join(' | ')} |`).join('\n')}

## End to end

JSON events of ~700 bytes POSTed (undici, keep-alive) to a relay channel's ingress, forwarded by
\`whcli listen --concurrency 64 --no-history --json\` to a node:http handler that answers 200 at once.
Latency is from the POST being sent to the handler receiving the body. At concurrency 1 the sender
waits for each event to reach the handler before sending the next (one event in flight end to end);
at 16 and 64 it sends as fast as the relay answers, as providers do, so events can queue in the relay. The baseline POSTs the same
events straight to the handler. "embedded" is \`whcli listen\` with its own relay in-process;
"standalone" adds a separate \`whcli relay --store memory\` process and the WebSocket between them.

${e2eTable(e2e)}

## Idle listeners

Relay RSS with that many WebSocket listeners connected (each on its own channel, after hello), none
receiving events.

${idleTable(idle)}

## Start-up

${startupTable(startup)}

## verify

\`whcli verify --provider stripe\` (11 events, 6 checks each) against a correct handler that answers
every request after 50 ms. Ideal: ceil(requests / concurrency) × 50 ms, i.e. perfect packing and no
start-up; the wall time includes starting Node and loading whcli.

${verifyTable(verify)}
`;

// Hand-written analysis lives in NOTES.md, so re-running the benchmarks keeps it.
const notesFile = join(ROOT, 'bench', 'NOTES.md');
const notes = existsSync(notesFile) ? `\n${readFileSync(notesFile, 'utf8')}` : '';
writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), text + notes);
log('wrote bench/RESULTS.md');
process.exit(0);
