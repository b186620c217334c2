/**
 * `whcli listen --retries`: a failed delivery is retried locally on the provider's schedule (sped up
 * with --time-scale), same event id, fresh signature, each attempt shown and recorded; the relay keeps
 * the event until the schedule ends, so a restart mid-schedule loses nothing; stop signals end it.
 */
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler, type HandlerReply } from '../helpers/http-handler.js';
import { deliveries, makeHome, runCli, startListenerProcess, startRelayProcess, stopAllProcesses, type ListenerProcess } from '../helpers/processes.js';

const SECRET = 'whsec_retries_local';
/** Stripe's first retry is an hour later: this makes it a millisecond. */
const HOUR_TO_MS = String(3_600_000);

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

type DeliveryLine = { eventId?: string; attempt?: number; retryInMs?: number; report: { ok: boolean; status?: number; error?: { kind: string; message: string } } };

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Answers from the list in turn, then the last one for ever. */
function answers(...replies: HandlerReply[]): () => HandlerReply {
  let n = 0;
  return () => replies[Math.min(n++, replies.length - 1)]!;
}

/** Delivery lines once one without a retry to come (the event's last attempt) was printed. */
async function untilSettled(listener: ListenerProcess, eventId: string): Promise<DeliveryLine[]> {
  const mine = () => (deliveries(listener.proc) as DeliveryLine[]).filter((l) => l.eventId === eventId);
  await listener.proc.waitFor(() => (mine().some((l) => l.retryInMs === undefined) ? true : undefined), `the last attempt of ${eventId}`);
  return mine();
}

describe('whcli listen --retries', () => {
  it("retries a failed delivery on the provider's schedule, freshly signed, until the handler takes it", async () => {
    const handler = await startHandler(answers({ status: 500, body: 'boom' }, { status: 503 }, { status: 200 }));
    const home = await makeHome();
    const listener = await startListenerProcess(home, ['--port', '0', '--no-inspect', '--forward', handler.url, '--provider', 'stripe', '--secret', SECRET, '--retries', '--time-scale', HOUR_TO_MS]);
    const body = JSON.stringify({ id: 'evt_retry_1', type: 'invoice.paid', data: { object: {} } });
    await post(listener.ready.url, body, { 'stripe-signature': 't=1,v1=stale' });

    const lines = await untilSettled(listener, 'evt_retry_1');
    expect(lines.map((l) => [l.attempt, l.report.status, l.retryInMs === undefined])).toEqual([[1, 500, false], [2, 503, false], [3, 200, true]]);
    expect(lines[0]!.retryInMs).toBe(1);
    expect(handler.requests).toHaveLength(3);
    for (const request of handler.requests) {
      expect(Stripe.webhooks.constructEvent(request.body, headerValues(request, 'stripe-signature')[0]!, SECRET).id).toBe('evt_retry_1');
    }

    await listener.proc.kill('SIGTERM');
    const listed = await runCli(['history', '--json'], home);
    const entries = JSON.parse(listed.stdout) as { eventId: string; attempt: number; report: { status: number } }[];
    expect(entries.map((e) => [e.eventId, e.attempt, e.report.status])).toEqual([['evt_retry_1', 1, 500], ['evt_retry_1', 2, 503], ['evt_retry_1', 3, 200]]);
  });

  it('gives up when the schedule ends, and retries a refused connection too', async () => {
    // Slack retries three times; the handler is not running at all.
    const closed = await startHandler();
    const url = closed.url;
    await closed.close();
    const listener = await startListenerProcess(await makeHome(), ['--port', '0', '--no-inspect', '--forward', url, '--provider', 'slack', '--secret', 'slack-secret', '--retries', '--time-scale', '1000000']);
    await post(listener.ready.url, JSON.stringify({ type: 'event_callback', event_id: 'Ev_REFUSED', event: { type: 'app_mention' } }));
    const lines = await untilSettled(listener, 'Ev_REFUSED');
    expect(lines.map((l) => [l.attempt, l.report.error?.kind])).toEqual([[1, 'refused'], [2, 'refused'], [3, 'refused'], [4, 'refused']]);
  });

  // A 410 stops only where a provider documents it (none of the built-ins does): a config-defined
  // provider's stopOn 410 is covered in retry-signals.test.ts.
  it("stops on the provider's stop signals: Slack's X-Slack-No-Retry and webhook-delivery: abort-message", async () => {
    const slack = await startHandler(() => ({ status: 500, headers: { 'X-Slack-No-Retry': '1' } }));
    const abort = await startHandler(() => ({ status: 500, headers: { 'webhook-delivery': 'abort-message' } }));
    const swSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const listener = await startListenerProcess(await makeHome(), [
      '--port', '0', '--no-inspect', '--retries', '--time-scale', '1000000',
      '--route', `slack:/slack=${slack.url}@slack`, '--route', `abort:/abort=${abort.url}@standard-webhooks`,
    ], true, { WHCLI_SECRET_SLACK: 'slack-secret', WHCLI_SECRET_ABORT: swSecret });
    await post(`${listener.ready.url}/slack`, JSON.stringify({ type: 'event_callback', event_id: 'Ev_STOP', event: { type: 'app_mention' } }));
    await post(`${listener.ready.url}/abort`, JSON.stringify({ type: 'invoice.paid', data: {} }), { 'webhook-id': 'msg_abort' });
    for (const [id, reason] of [['Ev_STOP', /X-Slack-No-Retry/], ['msg_abort', /abort-message/]] as const) {
      const lines = await untilSettled(listener, id);
      expect(lines, id).toHaveLength(1);
      expect(lines[0]!.report.error!.message).toMatch(reason);
    }
    expect([slack.requests.length, abort.requests.length]).toEqual([1, 1]);
    // The standard-webhooks delivery carried a signature the official library accepts.
    new Webhook(swSecret).verify(abort.requests[0]!.body, abort.requests[0]!.headers as Record<string, string>);
  });

  it('keeps the event at the relay during the schedule: a listener stopped mid-schedule delivers it on restart', async () => {
    const handler = await startHandler(answers({ status: 500 }, { status: 200 }));
    const home = await makeHome();
    const relay = await startRelayProcess(await makeHome());
    // At real speed: the first retry is an hour away when the listener stops.
    const args = ['--relay', relay.url, '--no-inspect', '--forward', handler.url, '--provider', 'stripe', '--secret', SECRET, '--retries'];
    const first = await startListenerProcess(home, args);
    const body = JSON.stringify({ id: 'evt_restart_1', type: 'invoice.paid', data: { object: {} } });
    expect((await post(first.ready.url, body)).status).toBe(200);
    await first.proc.waitForLine((l) => l.type === 'delivery' && l.attempt === 1 && l.retryInMs === 3_600_000, 'the first attempt with an hour to the next');
    await first.proc.kill('SIGTERM');
    expect(first.proc.exitCode, first.proc.describe()).toBe(0);

    const second = await startListenerProcess(home, args);
    expect(second.ready.channel).toBe(first.ready.channel);
    const lines = await untilSettled(second, 'evt_restart_1');
    expect(lines.at(-1)!.report).toMatchObject({ ok: true, status: 200 });
    expect(handler.requests).toHaveLength(2);
    const [, delivered] = handler.requests;
    expect(Stripe.webhooks.constructEvent(delivered!.body, headerValues(delivered!, 'stripe-signature')[0]!, SECRET).id).toBe('evt_restart_1');
  });

  it('a handler that is down does not stall the other routes while its events wait', async () => {
    const down = await startHandler(() => ({ status: 503 }));
    const up = await startHandler();
    const listener = await startListenerProcess(await makeHome(), [
      '--port', '0', '--no-inspect', '--retries', '--concurrency', '2',
      '--route', `down:/down=${down.url}@stripe`, '--route', `up:/up=${up.url}@stripe`,
    ], true, { WHCLI_SECRET_DOWN: SECRET, WHCLI_SECRET_UP: SECRET });
    for (const n of [1, 2, 3]) await post(`${listener.ready.url}/down`, JSON.stringify({ id: `evt_down_${n}`, type: 'invoice.paid' }));
    await down.waitForRequests(3);
    await post(`${listener.ready.url}/up`, JSON.stringify({ id: 'evt_up', type: 'invoice.paid' }));
    const [request] = await up.waitForRequests(1);
    expect(Stripe.webhooks.constructEvent(request!.body, headerValues(request!, 'stripe-signature')[0]!, SECRET).id).toBe('evt_up');
    // Each of the three waits an hour for its next attempt.
    expect(down.requests).toHaveLength(3);
  });

  it('is off by default: a failed delivery is tried once', async () => {
    const handler = await startHandler(() => ({ status: 500 }));
    const listener = await startListenerProcess(await makeHome(), ['--port', '0', '--no-inspect', '--forward', handler.url, '--provider', 'stripe', '--secret', SECRET]);
    await post(listener.ready.url, JSON.stringify({ id: 'evt_once', type: 'invoice.paid' }));
    const lines = await untilSettled(listener, 'evt_once');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.attempt).toBeUndefined();
    expect(handler.requests).toHaveLength(1);
  });

  it('refuses an unknown retry mode and --time-scale without --retries', async () => {
    const mode = await runCli(['listen', '--port', '0', '--no-inspect', '-f', '3000', '-p', 'stripe', '-s', 'x', '--retries', '--retry-mode', 'nope'], await makeHome());
    expect(mode.code).toBe(2);
    expect(mode.stderr.trim()).toMatch(/^whcli: provider stripe has no retry mode "nope"/);
    const scale = await runCli(['listen', '--port', '0', '--no-inspect', '-f', '3000', '--time-scale', '60'], await makeHome());
    expect(scale.code).toBe(2);
    expect(scale.stderr.trim()).toBe('whcli: --retry-mode and --time-scale go with --retries');
  });
});

