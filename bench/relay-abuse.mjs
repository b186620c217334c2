// The abuse that used to grow a relay without bound, against a `whcli relay --store memory` process:
// 1. bytes: one client creates channels and fills each with unacknowledged 1 MB bodies, as fast as
//    it can, for a fixed time; 2. channels: one client creates channels as fast as it can;
// 3. acknowledged: 5 MB bodies to one channel whose listener acknowledges each at once.
// Prints the relay's peak RSS (sampled from /proc) and what it accepted and refused, as JSON.
// Stops a scenario early once RSS passes --stop-rss, so an unbounded relay does not take the machine.
//
//   node bench/relay-abuse.mjs [--bin bin/whcli.js] [--seconds 20] [--stop-rss 2048] [--only 1,2,3] [-- <relay flags>]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values, positionals } = parseArgs({
  options: {
    bin: { type: 'string', default: 'bin/whcli.js' },
    seconds: { type: 'string', default: '20' },
    'stop-rss': { type: 'string', default: '2048' },
    only: { type: 'string', default: '1,2,3' },
  },
  allowPositionals: true,
});
const seconds = Number(values.seconds);
const stopRssMb = Number(values['stop-rss']);

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

async function startRelay() {
  const home = mkdtempSync(join(tmpdir(), 'whcli-abuse-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_STATE_HOME: join(home, 'state') };
  const child = spawn(process.execPath, [values.bin, 'relay', '--port', '0', '--json', '--store', 'memory', '--rate-limit', '0', ...positionals], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /"url":"([^"]+)"/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`relay exited ${code}`)));
  });
  return { child, url, stop: () => (child.kill('SIGKILL'), rmSync(home, { recursive: true, force: true })) };
}

async function scenario(name, work) {
  const relay = await startRelay();
  const baseline = rssMb(relay.child.pid);
  let peak = baseline;
  const counts = {};
  const count = (key) => (counts[key] = (counts[key] ?? 0) + 1);
  const ends = Date.now() + seconds * 1000;
  let stoppedEarly = false;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(relay.child.pid));
    if (peak > stopRssMb) stoppedEarly = true;
  }, 100);
  const running = () => Date.now() < ends && !stoppedEarly;
  await work(relay.url, running, count);
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(relay.child.pid));
  relay.stop();
  return { scenario: name, seconds, baselineRssMb: Math.round(baseline), peakRssMb: Math.round(peak), stoppedEarlyAtRssMb: stoppedEarly ? stopRssMb : undefined, counts };
}

const body = Buffer.alloc(1024 * 1024, 0x61);

const only = new Set(values.only.split(','));
const results = [];
if (only.has('1')) results.push(
  await scenario('unacknowledged 1 MB bodies over ever more channels, 8 at once', async (url, running, count) => {
    let channel;
    let left = 0;
    const worker = async () => {
      while (running()) {
        if (left-- <= 0) {
          const created = await fetch(`${url}/api/channels`, { method: 'POST' }).catch(() => undefined);
          count(`create ${created?.status ?? 'error'}`);
          if (created?.status === 201) channel = await created.json();
          left = 50;
        }
        if (!channel) continue;
        const answer = await fetch(channel.url, { method: 'POST', body }).catch(() => undefined);
        await answer?.arrayBuffer();
        count(`post ${answer?.status ?? 'error'}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }),
);
if (only.has('2')) results.push(
  await scenario('channel creation, 16 at once', async (url, running, count) => {
    const worker = async () => {
      while (running()) {
        const created = await fetch(`${url}/api/channels`, { method: 'POST' }).catch(() => undefined);
        await created?.arrayBuffer();
        count(`create ${created?.status ?? 'error'}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }),
);
const big = Buffer.alloc(5 * 1024 * 1024 - 1024, 0x63);
if (only.has('3')) results.push(
  await scenario('5 MB bodies to one channel, each acknowledged at once', async (url, running, count) => {
    const channel = await (await fetch(`${url}/api/channels`, { method: 'POST' })).json();
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/${channel.id}`, { headers: { authorization: `Bearer ${channel.token}` } });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', v: 1 }));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      // One event per message here (5 MB each): its seq is in the header after the length prefix.
      const header = JSON.parse(data.subarray(4, 4 + data.readUInt32BE(0)).toString());
      count('acked');
      ws.send(JSON.stringify({ type: 'ack', seq: header.seq, report: { ok: true, status: 200, durationMs: 1 } }));
    });
    while (running()) {
      const answer = await fetch(channel.url, { method: 'POST', body: big }).catch(() => undefined);
      await answer?.arrayBuffer();
      count(`post ${answer?.status ?? 'error'}`);
    }
    ws.terminate();
  }),
);
for (const result of results) console.log(JSON.stringify(result));
