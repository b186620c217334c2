// Shared pieces of the benchmarks: processes, a recording handler, a load generator, statistics.
// Everything runs on loopback and stops by itself.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'whcli.js');

export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `whcli <args>` and resolves with the first stdout JSON line matching `type`. */
export async function startWhcli(args, { home, type, env = {}, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    env: { ...process.env, WHCLI_HOME: home, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const line = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`whcli ${args[0]} did not start: ${stderr}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (const text of buffer.split('\n').slice(0, -1)) {
        try {
          const parsed = JSON.parse(text);
          if (parsed.type === type) {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {}
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => reject(new Error(`whcli ${args[0]} exited ${code}: ${stderr}`)));
  });
  return { child, line, stop: () => stop(child) };
}

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await once(child, 'exit');
  clearTimeout(timer);
}

export function tempHome() {
  const dir = mkdtempSync(join(tmpdir(), 'whcli-bench-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A node:http handler that notes when each event (by its "n") arrived. */
export async function startRecordingHandler({ delayMs = 0 } = {}) {
  const arrivals = new Map();
  const arrivalWaiters = new Map();
  let waiting;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const n = JSON.parse(Buffer.concat(chunks).toString()).n;
      if (!arrivals.has(n)) arrivals.set(n, at);
      arrivalWaiters.get(n)?.();
      arrivalWaiters.delete(n);
      const reply = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      if (delayMs) setTimeout(reply, delayMs);
      else reply();
      if (waiting && arrivals.size >= waiting.count) waiting.resolve();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/webhooks`,
    arrivals,
    reset: () => arrivals.clear(),
    /** Resolves once event n has arrived. */
    arrived: (n) => (arrivals.has(n) ? Promise.resolve() : new Promise((resolve) => arrivalWaiters.set(n, resolve))),
    waitFor: (count, timeoutMs = 300_000) =>
      arrivals.size >= count
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`handler got ${arrivals.size}/${count}`)), timeoutMs);
            waiting = { count, resolve: () => (clearTimeout(timer), resolve()) };
          }),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

const BODY_PAD = 'x'.repeat(600);

/**
 * POSTs events 0..n-1 to `url` at `concurrency`, each a ~700-byte JSON body carrying its number;
 * resolves when every event has arrived at the handler. Returns send times and the wall time.
 * With `closedLoop`, each worker waits for its event to reach the handler before sending the next.
 */
export async function load(url, handler, { n, concurrency, closedLoop = false }) {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const sentAt = new Array(n);
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const body = `{"n":${i},"type":"invoice.paid","pad":"${BODY_PAD}"}`;
      sentAt[i] = performance.now();
      const response = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
      await response.body.dump();
      if (response.statusCode !== 200) failures += 1;
      // Closed loop: the next event leaves only once this one reached the handler, so latency is the
      // path's own and not time spent queued behind earlier events.
      if (closedLoop) await handler.arrived(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await handler.waitFor(n);
  const wallMs = performance.now() - started;
  await agent.close();
  const latencies = [];
  for (let i = 0; i < n; i++) latencies.push(handler.arrivals.get(i) - sentAt[i]);
  return { wallMs, throughput: (n / wallMs) * 1000, failures, latencies };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

/** A port nothing listens on right now, on loopback. */
export async function freePort() {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

export const fmt = (x, digits = 2) => Number(x).toFixed(digits);
