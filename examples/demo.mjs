#!/usr/bin/env node
// The quick-start demo: starts the example handler, tunnels to it with `whcli listen` (embedded
// relay), sends a provider-style event to the public URL, triggers fixtures through the listener and
// directly, then stops everything. Loopback only; finishes by itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const whcli = join(root, 'bin', 'whcli.js');
const home = mkdtempSync(join(tmpdir(), 'whcli-demo-'));
const env = { ...process.env, WHCLI_HOME: home, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' };
const SECRET = 'whsec_demo';
const children = [];

const say = (text) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);

/** Starts a process, echoes its output with a prefix, and resolves when `pattern` appears. */
function start(name, args, pattern) {
  const child = spawn(process.execPath, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in time`)), 15_000);
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        console.log(`  ${name} | ${line}`);
        const match = pattern && line.match(pattern);
        if (match) {
          clearTimeout(timer);
          resolve({ child, match });
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

/** Runs a whcli command to completion, showing its output. */
function run(args) {
  console.log(`  $ whcli ${args.join(' ')}`);
  const child = spawn(process.execPath, [whcli, ...args], { env, cwd: root, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', resolve));
}

function waitForLines(child, pattern, count) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => reject(new Error('the listener did not report the delivery in time')), 10_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk.toString().split('\n').filter((l) => pattern.test(l)).length;
      if (seen >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function main() {
  say('1. An example webhook handler (examples/handler.mjs) verifies Stripe signatures by hand');
  const handler = await start('handler', [join(root, 'examples', 'handler.mjs'), '--port', '0', '--secret', SECRET], /listening on (\S+)/);
  const handlerUrl = handler.match[1];

  say('2. whcli listen: a public URL tunnelled to the handler, re-signed as Stripe');
  const listener = await start('listen', [whcli, 'listen', '--forward', handlerUrl, '--provider', 'stripe', '--secret', SECRET, '--port', '0'], /Webhook URL\s+(?:\x1b\[[0-9;]*m)*(http\S+?)(?:\x1b|$)/);
  const publicUrl = listener.match[1];

  say('3. A provider POSTs a pretty-printed event to the public URL (signed with some other secret)');
  const body = '{\n  "id": "evt_demo_1",\n  "object": "event",\n  "type": "checkout.session.completed",\n  "data": { "object": { "customer_name": "Zoë" } }\n}\n';
  const delivered = waitForLines(listener.child, /checkout\.session\.completed/, 1);
  const response = await fetch(publicUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=signed-by-the-real-provider' },
    body,
  });
  console.log(`  relay answered ${response.status} ${await response.text()}`);
  await delivered;

  say('4. whcli trigger with no --forward goes through the running listener');
  const triggered = waitForLines(listener.child, /invoice\.paid/, 1);
  await run(['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', SECRET]);
  await triggered;

  say('5. whcli trigger straight to the handler, and a forged signature it must refuse');
  await run(['trigger', 'payment_intent.succeeded', '--forward', handlerUrl, '--secret', SECRET]);
  const forged = await run(['trigger', 'payment_intent.succeeded', '--forward', handlerUrl, '--secret', 'whsec_wrong']);
  console.log(`  (exit code ${forged}: the handler rejected the forged signature, as it should)`);

  say('6. whcli history: what the listener delivered');
  await run(['history']);

  say('7. whcli verify: the CI gate, every Stripe event x delivery, forgery, unsigned, replay, duplicate');
  const verified = await run(['verify', '--provider', 'stripe', '--forward', handlerUrl, '--secret', SECRET]);
  if (verified !== 0) throw new Error(`verify exited ${verified}`);
  say('Done. Try it yourself: npx whcli listen --forward localhost:3000/webhooks --provider stripe --secret whsec_test');
}

main()
  .catch((error) => {
    console.error(`demo failed: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGINT');
    setTimeout(() => rmSync(home, { recursive: true, force: true }), 300);
  });
