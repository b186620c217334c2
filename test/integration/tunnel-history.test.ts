/**
 * `whcli history --json` lists what `whcli listen` delivered; `whcli replay <id>` sends one again with
 * the same bytes, path and query, and a fresh signature (checked with Stripe's library).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler } from '../helpers/http-handler.js';
import { deliveries, makeHome, runCli, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';
import { sendRaw } from '../helpers/relay-client.js';

const stripe = new Stripe('sk_test_not_used');
const SECRET = 'whsec_history_secret';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

interface HistoryLine {
  id: string;
  eventId?: string;
  eventType?: string;
  path: string;
  query: string;
  forward: string;
  bodyBase64: string;
  report: { ok: boolean; status?: number };
}

it('lists delivered events and replays one, freshly signed', async () => {
  const home = await makeHome();
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--port', '0', '--forward', `${handler.url}/hooks`, '--provider', 'stripe', '--secret', SECRET]);
  const bodies = [
    '{\n  "id": "evt_hist_1",\n  "object": "event",\n  "type": "invoice.paid",\n  "data": { "object": { "customer": "Zoë" } }\n}',
    '{"id":"evt_hist_2","object":"event","type":"customer.created","data":{"object":{}}}',
  ];
  // The provider's own signature is stale: only a fresh one can verify on replay.
  for (const body of bodies) {
    const answer = await sendRaw(`${listener.ready.url}/billing?src=test`, { headers: [['Content-Type', 'application/json'], ['Stripe-Signature', 't=1,v1=deadbeef']], body });
    expect(answer.status).toBe(200);
  }
  await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 2 ? true : undefined), 'two deliveries');
  // A graceful stop flushes the history file.
  await listener.proc.kill('SIGTERM');
  expect(listener.proc.exitCode, listener.proc.describe()).toBe(0);

  const listed = await runCli(['history', '--json'], home);
  expect(listed.code, listed.stderr).toBe(0);
  const entries = JSON.parse(listed.stdout) as HistoryLine[];
  expect(entries.map((e) => e.eventId), listed.stdout).toEqual(['evt_hist_1', 'evt_hist_2']);
  expect(entries.map((e) => e.eventType)).toEqual(['invoice.paid', 'customer.created']);
  for (const [i, entry] of entries.entries()) {
    expect(entry).toMatchObject({ path: '/billing', query: 'src=test', forward: `${handler.url}/hooks/billing?src=test`, report: { ok: true, status: 200 } });
    expect(entry.id).toMatch(/^rev_/);
    expect(Buffer.from(entry.bodyBase64, 'base64').toString('utf8')).toBe(bodies[i]);
  }

  const replayed = await runCli(['replay', entries[0]!.id, '--secret', SECRET, '--json'], home);
  expect(replayed.code, replayed.stderr).toBe(0);
  expect(handler.requests, replayed.stdout).toHaveLength(3);
  const [original, , again] = handler.requests;
  expect(again!.url).toBe('/hooks/billing?src=test');
  expect(again!.body.equals(original!.body)).toBe(true);
  const signature = headerValues(again!, 'stripe-signature');
  expect(signature).toHaveLength(1);
  expect(signature[0]).not.toBe('t=1,v1=deadbeef');
  expect(stripe.webhooks.constructEvent(again!.body, signature[0]!, SECRET).id).toBe('evt_hist_1');

  // By the provider's event id too.
  const byEventId = await runCli(['replay', 'evt_hist_2', '--secret', SECRET, '--json'], home);
  expect(byEventId.code, byEventId.stderr).toBe(0);
  expect(handler.requests).toHaveLength(4);
  expect(handler.requests[3]!.body.toString('utf8')).toBe(bodies[1]);
  expect(stripe.webhooks.constructEvent(handler.requests[3]!.body, headerValues(handler.requests[3]!, 'stripe-signature')[0]!, SECRET).id).toBe('evt_hist_2');
});

it('replay of an unknown id is a usage error naming the problem', async () => {
  const run = await runCli(['replay', 'rev_nope', '--secret', SECRET], await makeHome());
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^whcli: no event "rev_nope" in history/);
});

it('replay to another --forward refuses a recorded path that would climb out of it', async () => {
  const home = await makeHome();
  const handler = await startHandler();
  // A history written by an older listener that forwarded such a path.
  const entry = { id: 'rev_climb', seq: 1, channel: 'ch_x', receivedAt: 1, deliveredAt: 1, method: 'POST', path: '/..%5cadmin', query: '', headers: [], body: '', forward: 'http://localhost:1/', report: { ok: true, durationMs: 1 } };
  await mkdir(join(home, 'data'), { recursive: true });
  await writeFile(join(home, 'data', 'history.ndjson'), `${JSON.stringify(entry)}\n`);
  const run = await runCli(['replay', 'rev_climb', '--no-resign', '--forward', `${handler.url}/hooks`], home);
  expect(run.code).toBe(2);
  expect(run.stderr.trim()).toBe('whcli: not replaying "rev_climb": the path resolves to /admin, outside the --forward path /hooks');
  expect(handler.requests).toHaveLength(0);
});
