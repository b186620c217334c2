// A relay that ignores the window: it sends 500,000 events (in messages of 1,000) to `whcli listen`
// at once, on every connection. Prints the listener's peak resident memory (VmHWM) and how many
// events reached the handler. Run: npm run build && node bench/hostile-relay-memory.mjs
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { startWhcli, tempHome } from './lib.mjs';

const EVENTS = 500_000;
const PER_MESSAGE = 1_000;
const body = Buffer.from(JSON.stringify({ id: 'evt_x', type: 'invoice.paid', data: { object: { amount: 4200, note: 'x'.repeat(900) } } }));
function frame(seq) {
  const json = Buffer.from(JSON.stringify({ type: 'event', seq, id: `rev_${seq}`, receivedAt: Date.now(), method: 'POST', path: '', query: '', headers: [['Content-Type', 'application/json']], bodyLength: body.length }));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, body]);
}

let delivered = 0;
const handler = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    delivered += 1;
    res.end('ok');
  });
}).listen(0, '127.0.0.1');
await once(handler, 'listening');

let connections = 0;
let closes = [];
const relay = createServer((req, res) => {
  req.resume();
  const base = `http://127.0.0.1:${relay.address().port}`;
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'ch_bench', token: 'wht_bench', url: `${base}/c/ch_bench` }));
});
const wss = new WebSocketServer({ server: relay });
wss.on('connection', (ws) => {
  connections += 1;
  ws.on('close', (code, reason) => closes.push(`${code} ${reason}`));
  ws.once('message', () => {
    ws.send(JSON.stringify({ type: 'ready', v: 1, channel: 'ch_bench', url: 'http://x/c/ch_bench', resumeFrom: 0 }));
    for (let first = 1; first <= EVENTS; first += PER_MESSAGE) {
      ws.send(Buffer.concat(Array.from({ length: PER_MESSAGE }, (_, i) => frame(first + i))), { binary: true });
    }
  });
});
relay.listen(0, '127.0.0.1');
await once(relay, 'listening');

const home = tempHome();
process.on('exit', () => home.remove());
const { child } = await startWhcli(['listen', '--json', '--no-inspect', '--relay', `http://127.0.0.1:${relay.address().port}`, '--forward', `http://127.0.0.1:${handler.address().port}`], { home: home.dir, type: 'ready' });
const deadline = Date.now() + 30_000;
while (Date.now() < deadline && connections < 3) await new Promise((r) => setTimeout(r, 200));
const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
const peak = /VmHWM:\s+(\d+) kB/.exec(status)[1];
console.log(`whcli listen peak RSS ${(peak / 1024).toFixed(0)} MiB after ${connections} connections of ${EVENTS} events each; ${delivered} events delivered; closes: ${[...new Set(closes)].join('; ')}`);
child.kill('SIGKILL');
process.exit(0);
