// End to end: events POSTed to a relay ingress, forwarded by `whcli listen` to a local handler,
// against the same events POSTed straight to the handler, in the same run.
import { fmt, load, percentile, startRecordingHandler, startWhcli, tempHome } from './lib.mjs';

const N = Number(process.env.BENCH_EVENTS ?? 20_000);
const N_SERIAL = Number(process.env.BENCH_EVENTS_C1 ?? 5_000);
const CONCURRENCIES = [1, 16, 64];

async function measure(label, url, handler, concurrency) {
  handler.reset();
  const n = concurrency === 1 ? N_SERIAL : N;
  // A short warm-up lets the JIT and the connection pools settle before the timed run.
  // At concurrency 1 one event is in flight end to end; above it the senders go as fast as the
  // relay answers, as providers do.
  const closedLoop = concurrency === 1;
  await load(url, handler, { n: Math.min(500, n), concurrency, closedLoop });
  handler.reset();
  const r = await load(url, handler, { n, concurrency, closedLoop });
  return { label, concurrency, n, throughput: r.throughput, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), failures: r.failures };
}

export async function runE2E() {
  const handler = await startRecordingHandler();
  const home = tempHome();
  const rows = [];
  try {
    const embedded = await startWhcli(['listen', '--forward', handler.url, '--port', '0', '--json', '--no-history', '--no-inspect', '--concurrency', '64'], { home: home.dir, type: 'ready' });
    const relay = await startWhcli(['relay', '--port', '0', '--json', '--store', 'memory', '--rate-limit', '0'], { home: home.dir, type: 'listening' });
    const remote = await startWhcli(['listen', '--forward', handler.url, '--relay', relay.line.url, '--json', '--no-history', '--no-inspect', '--concurrency', '64'], { home: home.dir, type: 'ready' });
    for (const c of CONCURRENCIES) {
      const direct = await measure('direct POST (baseline)', handler.url, handler, c);
      const viaEmbedded = await measure('whcli listen, embedded relay', embedded.line.url, handler, c);
      const viaRelay = await measure('whcli listen + whcli relay', remote.line.url, handler, c);
      for (const row of [direct, viaEmbedded, viaRelay]) {
        rows.push({ ...row, ratio: row.throughput / direct.throughput, addedP50: row.p50 - direct.p50, addedP99: row.p99 - direct.p99 });
      }
    }
    await Promise.all([embedded.stop(), remote.stop()]);
    await relay.stop();
  } finally {
    await handler.close();
    home.remove();
  }
  return rows;
}

export function e2eTable(rows) {
  const lines = ['| path | concurrency | events | events/s | × direct | p50 ms | p99 ms | added p50 ms | added p99 ms |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    lines.push(`| ${r.label} | ${r.concurrency} | ${r.n} | ${fmt(r.throughput, 0)} | ${fmt(r.ratio)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.addedP50)} | ${fmt(r.addedP99)} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runE2E();
  console.log(e2eTable(rows));
  process.exit(0);
}
