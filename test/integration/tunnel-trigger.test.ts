/**
 * `whcli trigger <event>` with no --forward while `whcli listen` runs: the event goes through the
 * listener's relay, shows in its NDJSON and reaches the handler re-signed with the listener's secret.
 */
import Stripe from 'stripe';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, stopAllProcesses, WAIT_MS } from '../helpers/processes.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

it('whcli trigger without --forward sends through the running listener to the handler', async () => {
  const home = await makeHome();
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--port', '0', '--forward', `${handler.url}/hooks`, '--provider', 'stripe', '--secret', 'whsec_listener']);

  const run = await runCli(['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', 'whsec_trigger', '--json'], home, undefined, WAIT_MS);
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as { via: string; url: string; eventId: string; body: string; ok: boolean };
  expect(result).toMatchObject({ via: 'listener', url: listener.ready.url, ok: true });

  const delivery = await listener.proc.waitForLine((l) => l.type === 'delivery', 'the delivery line');
  expect(delivery).toMatchObject({ eventType: 'invoice.paid', eventId: result.eventId, report: { ok: true, status: 200 } });
  expect(handler.requests).toHaveLength(1);
  const request = handler.requests[0]!;
  expect(request.url).toBe('/hooks');
  expect(request.body.toString('utf8')).toBe(result.body);
  // Re-signed by the listener with its own secret, checked by Stripe's library.
  const signature = headerValues(request, 'stripe-signature');
  expect(signature).toHaveLength(1);
  const event = new Stripe('sk_test_not_used').webhooks.constructEvent(request.body, signature[0]!, 'whsec_listener');
  expect(event).toMatchObject({ id: result.eventId, type: 'invoice.paid' });
});

it("reports the handler's answer, not the relay's, and keeps its control header from the handler", async () => {
  const home = await makeHome();
  const handler = await startHandler(() => ({ status: 500, body: 'handler broke' }));
  await startListenerProcess(home, ['--port', '0', '--no-inspect', '--forward', handler.url, '--provider', 'stripe', '--secret', 'whsec_listener']);

  const run = await runCli(['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', 'whsec_trigger', '--json'], home, undefined, WAIT_MS);
  expect(run.code).toBe(1);
  const result = JSON.parse(run.stdout) as { ok: boolean; attempts: { result: { status: number; body: string } }[] };
  expect(result.ok).toBe(false);
  expect(result.attempts[0]!.result).toMatchObject({ status: 500, body: 'handler broke' });
  expect(run.stderr.trim()).toBe('whcli: handler answered 500');
  expect(handler.requests).toHaveLength(1);
  expect(headerValues(handler.requests[0]!, 'x-whcli-respond')).toEqual([]);
});
