/**
 * `whcli listen --verify-incoming <provider secret>`: an event is re-signed and forwarded only when the
 * signature it arrived with verifies under the provider's real secret, so a stranger who learns the
 * channel URL cannot get events signed with the developer's local secret.
 */
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler } from '../helpers/http-handler.js';
import { deliveries, makeHome, runCli, startListenerProcess, stopAllProcesses } from '../helpers/processes.js';

const PROVIDER_SECRET = 'whsec_the_real_provider';
const LOCAL_SECRET = 'whsec_local_handler';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

/** A Stripe-Signature computed from Stripe's documented recipe, not by whcli. */
function stripeSignature(body: string, secret: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** A forged event then a genuine one, through a listener started with `extraArgs` and `env`: only the genuine one arrives. */
async function expectOnlyGenuineForwarded(extraArgs: string[], env?: Record<string, string>): Promise<void> {
  const handler = await startHandler();
  const listener = await startListenerProcess(await makeHome(), [
    '--port', '0', '--no-inspect', '--forward', handler.url,
    '--provider', 'stripe', '--secret', LOCAL_SECRET, ...extraArgs,
  ], true, env);
  const genuine = JSON.stringify({ id: 'evt_genuine', type: 'invoice.paid', data: { object: {} } });
  const forged = JSON.stringify({ id: 'evt_forged', type: 'invoice.paid', data: { object: {} } });
  const post = (body: string, signature: string) =>
    fetch(listener.ready.url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });

  expect((await post(forged, stripeSignature(forged, 'whsec_guessed_by_an_attacker'))).status).toBe(200);
  expect((await post(genuine, stripeSignature(genuine, PROVIDER_SECRET))).status).toBe(200);

  const [request] = await handler.waitForRequests(1);
  await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 2 ? true : undefined), 'two delivery lines');
  expect(handler.requests).toHaveLength(1);
  expect(request!.body.toString()).toBe(genuine);
  const event = new Stripe('sk_test_x').webhooks.constructEvent(request!.body, headerValues(request!, 'stripe-signature')[0]!, LOCAL_SECRET);
  expect(event.id).toBe('evt_genuine');

  const [rejected, delivered] = deliveries(listener.proc) as { eventId?: string; report: { ok: boolean; skipped?: string; error?: { message: string } } }[];
  expect(rejected).toMatchObject({ eventId: 'evt_forged', report: { ok: false, skipped: 'rejected' } });
  expect(rejected!.report.error!.message).toMatch(/^not forwarded: /);
  expect(delivered).toMatchObject({ eventId: 'evt_genuine', report: { ok: true } });
}

describe('whcli listen --verify-incoming', () => {
  it('forwards, re-signed, only the events whose own signature verifies', async () => {
    await expectOnlyGenuineForwarded(['--verify-incoming', PROVIDER_SECRET]);
  });

  it('takes the secret from WHCLI_VERIFY_INCOMING, so it stays out of the process list', async () => {
    await expectOnlyGenuineForwarded([], { WHCLI_VERIFY_INCOMING: PROVIDER_SECRET });
  });

  it('prefers the flag to the environment', async () => {
    await expectOnlyGenuineForwarded(['--verify-incoming', PROVIDER_SECRET], { WHCLI_VERIFY_INCOMING: 'whsec_stale_value_in_the_shell' });
  });

  it('needs --provider', async () => {
    const run = await runCli(['listen', '--forward', '3000', '--verify-incoming', 'whsec_x', '--port', '0', '--no-inspect'], await makeHome());
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^whcli: --verify-incoming \(or WHCLI_VERIFY_INCOMING\) needs --provider/);
  });

  it('needs --provider when the secret comes from the environment too', async () => {
    const run = await runCli(['listen', '--forward', '3000', '--port', '0', '--no-inspect'], await makeHome(), { WHCLI_VERIFY_INCOMING: 'whsec_x' });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^whcli: --verify-incoming \(or WHCLI_VERIFY_INCOMING\) needs --provider/);
  });
});
