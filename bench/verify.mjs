// verify: wall time of `whcli verify` over every Stripe event against a handler that answers in
// 50 ms, against the ideal for that concurrency (total handler time / concurrency), same run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { BIN, fmt, tempHome } from './lib.mjs';

const SECRET = 'whsec_bench';
const DELAY_MS = 50;

/** A correct Stripe receiver that takes 50 ms per request. */
async function slowHandler() {
  const seen = new Set();
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const body = Buffer.concat(chunks);
      const header = req.headers['stripe-signature'] ?? '';
      const pairs = header.split(',').map((p) => p.split('='));
      const t = Number(pairs.find(([k]) => k === 't')?.[1]);
      const expected = createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex');
      const ok = pairs.some(([k, v]) => k === 'v1' && v.length === expected.length && timingSafeEqual(Buffer.from(v), Buffer.from(expected))) && Math.abs(Date.now() / 1000 - t) <= 300;
      setTimeout(() => {
        if (!ok) return res.writeHead(400).end('bad signature');
        seen.add(JSON.parse(body).id);
        res.writeHead(200).end('ok');
      }, DELAY_MS);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/webhooks`, requests: () => requests, close: () => new Promise((r) => server.close(r)) };
}

async function runOnce(url, concurrency, home) {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'verify', '--provider', 'stripe', '--forward', url, '--secret', SECRET, '--concurrency', String(concurrency), '--reporter', 'json'], {
    env: { ...process.env, WHCLI_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const [code] = await once(child, 'exit');
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`verify exited ${code}`);
  return { wallMs, report: JSON.parse(out) };
}

export async function runVerifyBench(concurrencies = [4, 16]) {
  const handler = await slowHandler();
  const home = tempHome();
  const rows = [];
  try {
    for (const concurrency of concurrencies) {
      const before = handler.requests();
      const { wallMs, report } = await runOnce(handler.url, concurrency, home.dir);
      const requests = handler.requests() - before;
      const checks = report.summary.total;
      // Duplicate checks send twice in sequence: count request-time, not checks, then divide.
      const ideal = Math.ceil(requests / concurrency) * DELAY_MS;
      rows.push({ concurrency, checks, requests, wallMs, ideal, ratio: wallMs / ideal });
    }
  } finally {
    await handler.close();
    home.remove();
  }
  return rows;
}

export function verifyTable(rows) {
  const lines = ['| concurrency | checks | requests | wall time | ideal | × ideal |', '| ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.concurrency} | ${r.checks} | ${r.requests} | ${fmt(r.wallMs, 0)} ms | ${fmt(r.ideal, 0)} ms | ${fmt(r.ratio)} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(verifyTable(await runVerifyBench()));
}
