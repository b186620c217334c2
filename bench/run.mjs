// Runs every benchmark and writes bench/RESULTS.md. `npm run bench`; BENCH_EVENTS shrinks the runs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityTable, runCapacity } from './capacity.mjs';
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
log('capacity: 100 channels, a listener each');
const capacity = await runCapacity();

const row = (label, c) => e2e.find((r) => r.label.startsWith(label) && r.concurrency === c);
const verdict = (ok) => (ok ? 'met' : '**missed**');
const defaults64 = row('whcli listen (defaults)', 64);
const defaults1 = row('whcli listen (defaults)', 1);
const bare64 = row('whcli listen --no-history --no-inspect', 64);
const relay64 = row('whcli listen + whcli relay', 64);
const smee64 = row('smee.io server + smee-client', 64);
const direct64 = row('direct POST', 64);
const smee1 = row('smee.io server + smee-client', 1);
const idle10k = idle.find((r) => r.count === 10_000);
const startupRow = (command) => startup.find((r) => r.command === command);
const verify4 = verify.find((r) => r.concurrency === 4);

const targets = [
  ...(smee64
    ? [
        ['Default `whcli listen` throughput ≥ 1.3× smee.io + smee-client at concurrency 64', `${fmt(defaults64.throughput / smee64.throughput)}× smee (${fmt(defaults64.ratio)}× direct vs ${fmt(smee64.ratio)}×)`, verdict(defaults64.throughput >= 1.3 * smee64.throughput)],
        ['Default `whcli listen` added p50 at concurrency 1 ≤ half of smee\'s', `+${fmt(defaults1.addedP50)} ms vs +${fmt(smee1.addedP50)} ms`, verdict(defaults1.addedP50 <= smee1.addedP50 / 2)],
      ]
    : [['Default `whcli listen` against smee.io', 'smee peer not prepared (node scripts/prepare-peers.mjs)', '**not measured**']]),
  ['History and inspector cost ≤ 10 % (defaults vs --no-history --no-inspect, concurrency 64)', `${fmt((1 - defaults64.throughput / bare64.throughput) * 100, 1)} %`, verdict(defaults64.throughput >= 0.9 * bare64.throughput)],
  ['Listener CPU ≤ 60 µs per event, re-signing on (defaults, concurrency 64)', `${fmt(defaults64.cpuUsPerEvent[0], 0)} µs`, verdict(defaults64.cpuUsPerEvent[0] <= 60)],
  ['Listener CPU per event against the direct path\'s (the bench process, sending and handling each event; machine-independent)', `${fmt(defaults64.cpuUsPerEvent[0] / direct64.cpuUsPerEvent[0])}× (${fmt(direct64.cpuUsPerEvent[0], 0)} µs direct)`, ''],
  ['Standalone relay CPU per event (concurrency 64)', `${fmt(relay64.cpuUsPerEvent[1], 0)} µs (listener ${fmt(relay64.cpuUsPerEvent[0], 0)} µs)`, ''],
  ...['whcli verify --help', 'whcli trigger invoice.paid --dry-run', 'whcli sign --provider paystack'].map((command) => [`\`${command}\` ≤ 1.5× \`node -e 0\``, `${fmt(startupRow(command).ratio)}×`, verdict(startupRow(command).ratio <= 1.5)]),
  ['`whcli --version` ≤ 1.5× `node -e 0`', `${fmt(startupRow('whcli --version').ratio)}×`, verdict(startupRow('whcli --version').ratio <= 1.5)],
  ['Relay memory per idle listener ≤ 9.9 KB (10,000 listeners)', `${fmt(idle10k.perListenerKb, 1)} KB`, verdict(idle10k.perListenerKb <= 9.9)],
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

JSON events of ~700 bytes POSTed (undici, keep-alive) to a public URL and forwarded to a node:http
handler that answers 200 at once: by \`whcli listen\` as a user runs it (defaults: 32 deliveries in
flight, history and inspector on), with \`--ordered\` (one at a time), with \`--no-history --no-inspect\`,
behind a standalone \`whcli relay\`, and by the smee.io server + smee-client (each its own process, as
users run them; a quarter of the events, since smee-client forwards one fetch per event). CPU µs/event
is the process CPU time of the listener (and, behind a standalone relay, of the relay) over the events;
for the direct baseline it is the bench process's own, which both sends and handles every event.
Latency is from the POST being sent to the handler receiving the body. At concurrency 1 the sender
waits for each event to reach the handler before sending the next (one event in flight end to end);
at 16 and 64 it sends as fast as the relay answers, as providers do, so events can queue in the relay. The baseline POSTs the same
events straight to the handler. "embedded" is \`whcli listen\` with its own relay in-process;
"standalone" adds a separate \`whcli relay --store memory\` process and the WebSocket between them.

${e2eTable(e2e)}

## A relay sized for a team

${capacityTable(capacity)}

## Idle listeners

Relay RSS with that many WebSocket listeners connected (each on its own channel, after hello), none
receiving events.

${idleTable(idle)}

## Start-up

${startupTable(startup)}

## verify

\`whcli verify --provider stripe\` (every Stripe event, each check) against a correct handler that answers
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
