// A relay sized for a team: one standalone `whcli relay` with 100 channels, each with its own
// `whcli listen` process, under a combined load spread over every channel; then the same with the file
// store, and with two relays on one Redis (events posted to relay A, listeners attached to relay B).
// Figures: events/s and p99 latency against a direct POST in the same run, and the relays' RSS.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { fmt, freePort, load, percentile, rssMb, startRecordingHandler, startWhcli, tempHome } from './lib.mjs';

const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 100);
const EVENTS = Number(process.env.BENCH_CAPACITY_EVENTS ?? 10_000);
const CONCURRENCY = 64;
const BODY_PAD = 'x'.repeat(600);

/** POSTs events 0..n-1 round-robin over `urls`, `concurrency` in flight; resolves when all arrived. */
async function loadChannels(urls, handler, n) {
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const sentAt = new Array(n);
  let next = 0;
  let refused = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      sentAt[i] = performance.now();
      const response = await request(urls[i % urls.length], { method: 'POST', body: `{"n":${i},"type":"invoice.paid","pad":"${BODY_PAD}"}`, headers: { 'content-type': 'application/json' }, dispatcher: agent });
      await response.body.dump();
      if (response.statusCode !== 200) refused += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await handler.waitFor(n - refused);
  const wallMs = performance.now() - started;
  await agent.close();
  const latencies = [];
  for (let i = 0; i < n; i++) if (handler.arrivals.has(i)) latencies.push(handler.arrivals.get(i) - sentAt[i]);
  return { throughput: ((n - refused) / wallMs) * 1000, refused, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}/0`, stop: async () => { child.kill('SIGKILL'); await once(child, 'exit'); } };
}

/** 100 listeners, each in its own process with its own WHCLI_HOME, so each has its own channel. */
async function startListeners(relayUrl, handlerUrl) {
  const listeners = [];
  const batch = 10;
  for (let i = 0; i < CHANNELS; i += batch) {
    listeners.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(batch, CHANNELS - i) }, async () => {
          const home = mkdtempSync(join(tmpdir(), 'whcli-capacity-'));
          const proc = await startWhcli(['listen', '--relay', relayUrl, '--forward', handlerUrl, '--json', '--no-history', '--no-inspect'], { home, type: 'ready' });
          return { ...proc, home };
        }),
      )),
    );
  }
  return listeners;
}

async function measureSetup(label, handler, relayArgs, { twoRelays = false } = {}) {
  const home = tempHome();
  const relays = [await startWhcli(['relay', '--port', '0', '--json', '--rate-limit', '0', '--channel-rate', '0', ...relayArgs], { home: home.dir, type: 'listening' })];
  if (twoRelays) relays.push(await startWhcli(['relay', '--port', '0', '--json', '--rate-limit', '0', '--channel-rate', '0', ...relayArgs], { home: home.dir, type: 'listening' }));
  const attachTo = relays.at(-1).line.url;
  const listeners = await startListeners(attachTo, handler.url);
  try {
    // Events go to the first relay: with two relays, across Redis to listeners on the second.
    const urls = listeners.map((l) => l.line.url.replace(attachTo, relays[0].line.url));
    const idleRss = relays.map((r) => rssMb(r.child.pid));
    handler.reset();
    await loadChannels(urls, handler, Math.min(1000, EVENTS));
    handler.reset();
    const run = await loadChannels(urls, handler, EVENTS);
    return { label, ...run, rss: relays.map((r) => rssMb(r.child.pid)), idleRss };
  } finally {
    await Promise.all(listeners.map(async (l) => { await l.stop(); rmSync(l.home, { recursive: true, force: true }); }));
    await Promise.all(relays.map((r) => r.stop()));
    home.remove();
  }
}

export async function runCapacity() {
  const handler = await startRecordingHandler();
  const rows = [];
  try {
    handler.reset();
    const direct = await load(handler.url, handler, { n: EVENTS, concurrency: CONCURRENCY });
    rows.push({ label: 'direct POST (baseline)', throughput: direct.throughput, refused: direct.failures, p50: percentile(direct.latencies, 50), p99: percentile(direct.latencies, 99), rss: [], idleRss: [] });
    rows.push(await measureSetup('whcli relay, memory store', handler, ['--store', 'memory']));
    const dataDir = mkdtempSync(join(tmpdir(), 'whcli-capacity-store-'));
    rows.push(await measureSetup('whcli relay, file store', handler, ['--store', `file:${dataDir}`]));
    rmSync(dataDir, { recursive: true, force: true });
    const redis = await startRedis();
    if (redis) {
      rows.push(await measureSetup('two whcli relays on one Redis', handler, ['--store', redis.url], { twoRelays: true }));
      await redis.stop();
    }
  } finally {
    await handler.close();
  }
  const base = rows[0];
  return rows.map((r) => ({ ...r, ratio: r.throughput / base.throughput, addedP99: r.p99 - base.p99 }));
}

export function capacityTable(rows) {
  const lines = [`| setup (${CHANNELS} channels, one listener process each) | events | events/s | × direct | p50 ms | p99 ms | added p99 ms | relay RSS idle → loaded |`, '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    const rss = r.rss.length ? r.rss.map((mb, i) => `${fmt(r.idleRss[i], 0)} → ${fmt(mb, 0)} MB`).join(', ') : '—';
    lines.push(`| ${r.label} | ${EVENTS - r.refused} | ${fmt(r.throughput, 0)} | ${fmt(r.ratio)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.addedP99)} | ${rss} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(capacityTable(await runCapacity()));
  process.exit(0);
}
