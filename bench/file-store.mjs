// The file store in process (built dist/): memory with a pending backlog, append throughput with
// group commit, start-up replay and compaction. Each measure runs in a fresh node (--expose-gc) so
// RSS figures do not mix. Usage: npm run build && node bench/file-store.mjs [pendingMiB=200]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const dist = new URL(`${process.env.BENCH_DIST ?? '../dist'}/relay/stores/`, import.meta.url);
const MiB = 1024 * 1024;

const event = (channel, n, bytes) => ({
  id: `rev_${n}`,
  channel,
  receivedAt: Date.now(),
  method: 'POST',
  path: '/hooks',
  query: '',
  headers: [['content-type', 'application/json']],
  body: Buffer.alloc(bytes, n % 251),
});

const rssMiB = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss / MiB;
};

async function openStore(kind, dir, fsync = 'always', extra = {}) {
  if (kind === 'memory') return new (await import(new URL('memory-store.js', dist))).MemoryStore({ maxPendingBytes: 8 * 1024 * MiB, maxPendingEvents: 1e6 });
  return (await import(new URL('file-store.js', dist))).FileStore.open({ dir, fsync, limits: { maxPendingBytes: 8 * 1024 * MiB, maxPendingEvents: 1e6 }, ...extra });
}

/** One measure, in this process: prints one JSON line. */
async function measure(name, dir, pendingMiB) {
  const bodyBytes = 256 * 1024;
  const count = Math.round((pendingMiB * MiB) / bodyBytes);
  if (name === 'fill') {
    // A log past 2 GiB of pending events, written fast (no fsync): what a start must read whole.
    const store = await openStore('file', dir, 'never');
    await store.createChannel({ id: 'ch', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    for (let n = 1; n <= count; n++) await store.append(event('ch', n, bodyBytes));
    await store.close();
    return { logMiB: statSync(join(dir, 'relay.log')).size / MiB };
  }
  if (name === 'rss-memory' || name === 'rss-file') {
    const store = await openStore(name === 'rss-memory' ? 'memory' : 'file', dir);
    await store.createChannel({ id: 'ch', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    const before = rssMiB();
    for (let n = 1; n <= count; n++) await store.append(event('ch', n, bodyBytes));
    const after = rssMiB();
    await store.close();
    return { before, after, grew: after - before, pendingMiB: (count * bodyBytes) / MiB };
  }
  if (name === 'replay') {
    const before = rssMiB();
    const started = performance.now();
    const store = await openStore('file', dir);
    const ms = performance.now() - started;
    const after = rssMiB();
    const pending = (await store.stats()).pendingEvents;
    const read = performance.now();
    for (let seq = 0; seq < pending; seq += 64) await store.readAfter('ch', seq, 64);
    const readMs = performance.now() - read;
    await store.close();
    return { logMiB: statSync(join(dir, 'relay.log')).size / MiB, pending, startMs: ms, rssBefore: before, rssAfter: after, readAllMs: readMs };
  }
  if (name.startsWith('throughput')) {
    const fsync = name.endsWith('never') ? 'never' : 'always';
    const store = await openStore('file', dir, fsync);
    await store.createChannel({ id: 'ch', tokenHash: 'ab'.repeat(32), createdAt: 1 });
    const total = 20_000;
    let next = 1;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next <= total) await store.append(event('ch', next++, 1024));
      }),
    );
    const ms = performance.now() - started;
    await store.close();
    return { events: total, perSecond: Math.round((total / ms) * 1000), fsync };
  }
  if (name === 'compaction') {
    // Everything acknowledged but the last tenth: compaction at the next start keeps those.
    // No compaction while acknowledging (where the store supports putting it off): it is timed at start.
    const store = await openStore('file', dir, 'never', { compactMinBytes: Number.MAX_SAFE_INTEGER });
    const events = await store.readAfter('ch', 0, 1);
    const { pendingEvents } = await store.stats();
    for (let seq = events[0].seq; seq <= Math.floor(pendingEvents * 0.9); seq++) await store.ack('ch', seq, { ok: true, durationMs: 0 });
    await store.close();
    const before = statSync(join(dir, 'relay.log')).size / MiB;
    const started = performance.now();
    const reopened = await openStore('file', dir);
    const ms = performance.now() - started;
    await reopened.close();
    return { beforeMiB: before, afterMiB: statSync(join(dir, 'relay.log')).size / MiB, startWithCompactionMs: ms };
  }
  throw new Error(`unknown measure ${name}`);
}

function run(name, dir, pendingMiB) {
  const child = spawnSync(process.execPath, ['--expose-gc', here, '--measure', name, dir, String(pendingMiB)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}

if (process.argv[2] === '--big') {
  // node bench/file-store.mjs --big 2300: start on a log of that many MiB (needs the disk space).
  const dir = mkdtempSync(join(tmpdir(), 'whcli-bench-big-'));
  try {
    console.log('fill  ', JSON.stringify(run('fill', dir, Number(process.argv[3] ?? 2300))));
    console.log('replay', JSON.stringify(run('replay', dir, 0)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else if (process.argv[2] === '--measure') {
  const [, , , name, dir, pendingMiB] = process.argv;
  console.log(JSON.stringify(await measure(name, dir, Number(pendingMiB))));
} else {
  const pendingMiB = Number(process.argv[2] ?? 200);
  const round = (value) => (typeof value === 'number' ? Math.round(value * 10) / 10 : value);
  const show = (name, result) => console.log(name.padEnd(20), JSON.stringify(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, round(v)]))));
  const dirs = [];
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'whcli-bench-store-'));
    dirs.push(dir);
    return dir;
  };
  try {
    show('rss-memory', run('rss-memory', temp(), pendingMiB));
    const dir = temp();
    show('rss-file', run('rss-file', dir, pendingMiB));
    show('replay', run('replay', dir, pendingMiB));
    show('compaction', run('compaction', dir, pendingMiB));
    show('throughput-always', run('throughput-always', temp(), pendingMiB));
    show('throughput-never', run('throughput-never', temp(), pendingMiB));
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
