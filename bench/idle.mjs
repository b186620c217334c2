// Idle scale: the relay's resident memory with 1,000 and 10,000 connected, idle listeners.
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { fmt, rssMb, startWhcli, tempHome } from './lib.mjs';

const SETTLE_MS = Number(process.env.BENCH_IDLE_SETTLE_MS ?? 15_000);

async function openListeners(base, count) {
  const sockets = [];
  const batch = 200;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const response = await fetch(`${base}/api/channels`, { method: 'POST' });
        const { id, token } = await response.json();
        const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/${id}`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
        await new Promise((resolve, reject) => {
          ws.once('message', resolve);
          ws.once('error', reject);
          ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', v: 1 })));
        });
        sockets.push(ws);
      }),
    );
  }
  return sockets;
}

export async function runIdle(counts = [1000, 10_000]) {
  const rows = [];
  for (const count of counts) {
    const home = tempHome();
    const relay = await startWhcli(['relay', '--port', '0', '--json', '--store', 'memory', '--channel-rate', '0', '--max-channels', '0'], { home: home.dir, type: 'listening' });
    const base = relay.line.url;
    await sleep(500);
    const before = rssMb(relay.child.pid);
    const sockets = await openListeners(base, count);
    // Long enough for V8's memory reducer to collect what opening them left behind (request parsers,
    // JSON), so the figure is what idle listeners hold, not garbage not yet collected.
    await sleep(SETTLE_MS);
    const after = rssMb(relay.child.pid);
    rows.push({ count, before, after, perListenerKb: ((after - before) * 1024) / count });
    for (const ws of sockets) ws.terminate();
    await relay.stop();
    home.remove();
  }
  return rows;
}

export function idleTable(rows) {
  const lines = ['| idle listeners | relay RSS before | relay RSS with listeners | per listener |', '| ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.count} | ${fmt(r.before, 1)} MB | ${fmt(r.after, 1)} MB | ${fmt(r.perListenerKb, 1)} KB |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(idleTable(await runIdle()));
  process.exit(0);
}
