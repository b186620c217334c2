// End to end: events POSTed to a public URL, forwarded to a local handler by `whcli listen` (as users
// run it, and tuned), by `whcli listen` behind a standalone `whcli relay`, and by smee.io + smee-client
// when the peer is prepared; against the same events POSTed straight to the handler, in the same run.
import { cpuMs, fmt, load, percentile, startRecordingHandler, startWhcli, tempHome } from './lib.mjs';
import { smeeAvailable, startSmeePath } from './smee.mjs';

const N = Number(process.env.BENCH_EVENTS ?? 20_000);
const N_SERIAL = Number(process.env.BENCH_EVENTS_C1 ?? 5_000);
const CONCURRENCIES = [1, 16, 64];
/** smee-client forwards one event per SSE message with fetch; fewer events keep its run bounded. */
const SMEE_SHARE = 0.25;

async function measure(path, handler, concurrency) {
  handler.reset();
  const n = Math.round((concurrency === 1 ? N_SERIAL : N) * (path.share ?? 1));
  // A short warm-up lets the JIT and the connection pools settle before the timed run.
  // At concurrency 1 one event is in flight end to end; above it the senders go as fast as the
  // relay answers, as providers do.
  const closedLoop = concurrency === 1;
  await load(path.url, handler, { n: Math.min(500, n), concurrency, closedLoop });
  handler.reset();
  const cpuBefore = path.pids.map(cpuMs);
  const r = await load(path.url, handler, { n, concurrency, closedLoop });
  const cpu = path.pids.map((pid, i) => ((cpuMs(pid) - cpuBefore[i]) * 1000) / n);
  return { label: path.label, concurrency, n, throughput: r.throughput, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), failures: r.failures, cpuUsPerEvent: cpu };
}

const LISTEN = ['listen', '--port', '0', '--json'];

export async function runE2E() {
  const handler = await startRecordingHandler();
  const home = tempHome();
  const rows = [];
  const started = [];
  try {
    // The baseline's CPU is this process's: it sends and handles every event, two ends of one HTTP exchange.
    const paths = [{ label: 'direct POST (baseline)', url: handler.url, pids: [process.pid] }];
    const listener = async (label, args) => {
      const proc = await startWhcli([...LISTEN, '--forward', handler.url, ...args], { home: home.dir, type: 'ready' });
      started.push(proc);
      paths.push({ label, url: proc.line.url, pids: [proc.child.pid] });
    };
    await listener('whcli listen (defaults)', ['--inspect', '0']);
    await listener('whcli listen --ordered', ['--inspect', '0', '--ordered']);
    await listener('whcli listen --no-history --no-inspect', ['--no-history', '--no-inspect']);
    const relay = await startWhcli(['relay', '--port', '0', '--json', '--store', 'memory', '--rate-limit', '0', '--channel-rate', '0'], { home: home.dir, type: 'listening' });
    started.push(relay);
    const remote = await startWhcli([...LISTEN.filter((a) => a !== '--port' && a !== '0'), '--forward', handler.url, '--relay', relay.line.url, '--inspect', '0'], { home: home.dir, type: 'ready' });
    started.push(remote);
    paths.push({ label: 'whcli listen + whcli relay (defaults)', url: remote.line.url, pids: [remote.child.pid, relay.child.pid] });
    if (smeeAvailable()) {
      const smee = await startSmeePath(handler.url);
      started.push(smee);
      paths.push({ label: 'smee.io server + smee-client', url: smee.url, pids: [smee.clientPid], share: SMEE_SHARE });
    }
    for (const c of CONCURRENCIES) {
      let direct;
      for (const path of paths) {
        const row = await measure(path, handler, c);
        direct ??= row;
        rows.push({ ...row, ratio: row.throughput / direct.throughput, addedP50: row.p50 - direct.p50, addedP99: row.p99 - direct.p99 });
      }
    }
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    await handler.close();
    home.remove();
  }
  return rows;
}

export function e2eTable(rows) {
  const lines = ['| path | concurrency | events | events/s | × direct | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/event |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    const cpu = r.cpuUsPerEvent.length ? r.cpuUsPerEvent.map((x) => fmt(x, 0)).join(' + ') : '—';
    lines.push(`| ${r.label} | ${r.concurrency} | ${r.n} | ${fmt(r.throughput, 0)} | ${fmt(r.ratio)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.addedP50)} | ${fmt(r.addedP99)} | ${cpu} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runE2E();
  console.log(e2eTable(rows));
  process.exit(0);
}
