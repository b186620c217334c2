// Where `whcli listen` spends its CPU under a burst: runs one listener under `node --cpu-prof`,
// POSTs events to its public URL, and prints the functions with the most self time and CPU µs per event.
// usage: node bench/profile-listener.mjs [events] [concurrency] [-- listen args...]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMs, load, startRecordingHandler, startWhcli, tempHome } from './lib.mjs';

const dashes = process.argv.indexOf('--');
const [events = '5000', concurrency = '64'] = process.argv.slice(2, dashes < 0 ? undefined : dashes);
const extra = dashes < 0 ? ['--inspect', '0'] : process.argv.slice(dashes + 1);
const profileDir = mkdtempSync(join(tmpdir(), 'whcli-profile-'));

const handler = await startRecordingHandler();
const home = tempHome();
const listener = await startWhcli(['listen', '--port', '0', '--json', '--forward', handler.url, ...extra], {
  home: home.dir,
  type: 'ready',
  nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir],
});
const n = Number(events);
await load(listener.line.url, handler, { n: Math.min(500, n), concurrency: Number(concurrency) });
handler.reset();
const before = cpuMs(listener.child.pid);
await load(listener.line.url, handler, { n, concurrency: Number(concurrency) });
const usPerEvent = ((cpuMs(listener.child.pid) - before) * 1000) / n;
await listener.stop();
home.remove();

const profile = JSON.parse(readFileSync(join(profileDir, readdirSync(profileDir)[0]), 'utf8'));
const self = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
profile.samples.forEach((id, i) => {
  // The bundle is minified (one long line per chunk): names, not line numbers, say where.
  const { functionName, url } = byId.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\//, '')}`;
  self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`listener CPU: ${usPerEvent.toFixed(0)} µs per event (${n} events, concurrency ${concurrency}, args: ${extra.join(' ')})`);
console.log(`profile: ${profileDir}`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
process.exit(0);
