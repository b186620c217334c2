/**
 * The web inspector of `whcli listen` in headless Chromium. A real listener
 * process with its embedded relay, a real node:http handler, the page driven by playwright-core:
 * rows appear live, the detail view shows the request, the signature whcli sent and the response,
 * replay (as is and with an edited body) reaches the handler freshly signed, checked with Stripe's
 * own library, and the filters and keyboard work.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, closeAllBrowsers, launchBrowser, openPage } from '../helpers/browser.js';
import { closeAllHandlers, headerValues, startHandler, type HandlerReply, type ReceivedRequest, type TestHandler } from '../helpers/http-handler.js';
import { makeHome, startListenerProcess, stopAllProcesses, type ListenerProcess } from '../helpers/processes.js';

const SECRET = 'whsec_inspector_e2e_secret';
const stripe = new Stripe('sk_test_not_used');

/** Verifies with stripe-node: throws unless the signature is valid for these exact bytes. */
function stripeEvent(request: ReceivedRequest): Stripe.Event {
  const signature = headerValues(request, 'stripe-signature');
  expect(signature).toHaveLength(1);
  return stripe.webhooks.constructEvent(request.body, signature[0]!, SECRET);
}

function eventBody(type: string, id: string, amount = 1000): string {
  return JSON.stringify({ id, object: 'event', type, created: 1_795_000_000, data: { object: { id: `obj_${id}`, amount } } });
}

let handler: TestHandler;
let listener: ListenerProcess;
let inspector: string;

async function start(reply?: (request: ReceivedRequest) => HandlerReply): Promise<void> {
  handler = await startHandler(reply);
  listener = await startListenerProcess(await makeHome(), ['--port', '0', '--inspect', '0', '--forward', `${handler.url}/hooks`, '--provider', 'stripe', '--secret', SECRET]);
  inspector = listener.ready.inspector as string;
  expect(inspector).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
}

/** POSTs an event to the webhook URL, as a provider would. */
async function send(body: string): Promise<void> {
  const response = await fetch(listener.ready.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Stripe/1.0' }, body });
  expect(response.status).toBe(200);
}

const run = chromiumAvailable();

describe.skipIf(!run)('the inspector page, in Chromium', () => {
  afterEach(async () => {
    await closeAllBrowsers();
    await stopAllProcesses();
    await closeAllHandlers();
  });

  it('shows a delivery live, and Replay sends a second delivery, freshly signed', async () => {
    await start();
    const { page, errors } = await openPage(await launchBrowser(), inspector);
    await page.locator('#connection[data-state="live"]').waitFor();
    expect(await page.locator('#empty').isVisible()).toBe(true);
    expect(await page.locator('#session-signing').textContent()).toBe('re-signed as stripe');
    // Marks this document: a reload would lose the mark.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    await send(eventBody('invoice.paid', 'evt_live_1'));
    const row = page.locator('#rows tr', { hasText: 'invoice.paid' });
    await row.waitFor();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator('#rows tr').count()).toBe(1);
    expect(await row.locator('.pill').textContent()).toBe('200');
    expect(await row.locator('.attempt').textContent()).toBe('1');
    expect(await row.textContent()).toContain('evt_live_1');
    expect(await page.locator('#empty').isVisible()).toBe(false);
    // Screen readers hear about the new row.
    await page.locator('#announcer', { hasText: 'New event: invoice.paid, 200' }).waitFor();

    await row.locator('.row-link').click();
    await page.locator('#detail-title', { hasText: 'invoice.paid' }).waitFor();
    expect(page.url()).toMatch(/#\/e\/1$/);
    const received = page.locator('section[aria-labelledby="received-title"]');
    expect(await received.locator('.req-line').textContent()).toBe('POST /');
    expect(await received.locator('pre.code').first().textContent()).toContain('"id": "evt_live_1"');
    // The signature whcli sent is marked, and the handler's answer is shown.
    const signed = page.locator('section[aria-labelledby="sent-title"] tr.signed');
    expect(await signed.count()).toBe(1);
    expect(await signed.locator('th').textContent()).toMatch(/^stripe-signature\s*signed$/i);
    expect(await page.locator('section[aria-labelledby="response-title"] .req-line').textContent()).toMatch(/^200 OK · /);

    await page.locator('#replay').click();
    const [first, second] = await handler.waitForRequests(2);
    expect(second!.body.equals(first!.body)).toBe(true);
    expect(second!.url).toBe('/hooks');
    expect(stripeEvent(second!)).toMatchObject({ id: 'evt_live_1', type: 'invoice.paid' });
    await page.locator('#action-status', { hasText: /^Replayed: 200 OK in .+, attempt 2\./ }).waitFor();
    await page.locator('#rows tr').nth(1).waitFor();
    expect(await page.locator('#rows tr').first().locator('.attempt').textContent()).toBe('2');
    // The terminal hears about it too.
    const line = await listener.proc.waitForLine((l) => l.type === 'replay', 'the replay line');
    expect(line).toMatchObject({ attempt: 2, replayOf: '1', edited: false, ok: true, status: 200, eventType: 'invoice.paid' });

    await page.locator('#open-replay').click();
    await page.locator('.facts', { hasText: 'replay of #1' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('Edit & replay delivers the edited bytes, signed over those bytes', async () => {
    await start();
    await send(eventBody('invoice.paid', 'evt_edit_1'));
    await handler.waitForRequests(1);
    const { page, errors } = await openPage(await launchBrowser(), `${inspector}/#/e/1`);
    await page.locator('#detail-title', { hasText: 'invoice.paid' }).waitFor();

    await page.locator('#edit').click();
    expect(await page.locator('#edit').getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('#edit-body').inputValue()).toBe(eventBody('invoice.paid', 'evt_edit_1'));
    // Odd spacing and non-ASCII: the handler must get these bytes, not a re-serialization.
    const edited = '{"id":"evt_edit_1",  "type":"invoice.paid", "data": {"object": {"amount": 4200, "note": "Zoë"}}}\n';
    await page.locator('#edit-body').fill(edited);
    await page.locator('#send-edited').click();

    const requests = await handler.waitForRequests(2);
    expect(requests[1]!.body.toString('utf8')).toBe(edited);
    const event = stripeEvent(requests[1]!);
    expect(event).toMatchObject({ id: 'evt_edit_1', data: { object: { amount: 4200, note: 'Zoë' } } });
    await page.locator('#action-status', { hasText: 'attempt 2' }).waitFor();
    const top = page.locator('#rows tr').first();
    await top.locator('.edited').waitFor();

    await page.locator('#open-replay').click();
    const sent = page.locator('section[aria-labelledby="sent-title"]');
    await sent.locator('h4', { hasText: 'Edited body sent' }).waitFor();
    expect(await sent.locator('pre.code').first().textContent()).toContain('"amount": 4200');
    expect(errors).toEqual([]);
  });

  it('filters by event type and failures, live, and the list works from the keyboard', async () => {
    await start((request) => (request.body.includes('invoice.payment_failed') ? { status: 500, body: 'no such customer' } : { status: 200, body: 'ok' }));
    const { page, errors } = await openPage(await launchBrowser(), inspector);
    await page.locator('#connection[data-state="live"]').waitFor();
    // Each shown before the next is sent: deliveries run concurrently, so they may end in any order.
    const types = ['invoice.paid', 'customer.created', 'invoice.payment_failed', 'invoice.paid'];
    for (const [i, type] of types.entries()) {
      await send(eventBody(type, `evt_f${i + 1}`));
      await page.locator('#rows tr').nth(i).waitFor();
    }
    expect(await page.locator('#count').textContent()).toBe('4 events');
    const visibleIds = async () => (await page.locator('#rows tr .sub').allTextContents()).map((text) => text.split(' ')[0]);
    // Newest first.
    expect(await visibleIds()).toEqual(['evt_f4', 'evt_f3', 'evt_f2', 'evt_f1']);

    expect(await page.locator('#filter-type option').allTextContents()).toEqual(['All types', 'customer.created', 'invoice.paid', 'invoice.payment_failed']);
    await page.locator('#filter-type').selectOption('invoice.paid');
    expect(await visibleIds()).toEqual(['evt_f4', 'evt_f1']);
    expect(await page.locator('#count').textContent()).toBe('2 of 4');

    await page.locator('#filter-type').selectOption('');
    await page.locator('#filter-failed').check();
    expect(await visibleIds()).toEqual(['evt_f3']);
    expect(await page.locator('#rows tr .pill').textContent()).toBe('500');
    // A new success while "failed only" is on stays out of the list but counts.
    await send(eventBody('invoice.paid', 'evt_f5'));
    await page.locator('#count', { hasText: '1 of 5' }).waitFor();
    expect(await visibleIds()).toEqual(['evt_f3']);
    // A new failure shows up at once.
    await send(eventBody('invoice.payment_failed', 'evt_f6'));
    await page.locator('#count', { hasText: '2 of 6' }).waitFor();
    expect(await visibleIds()).toEqual(['evt_f6', 'evt_f3']);

    await page.locator('#filter-failed').uncheck();
    expect(await visibleIds()).toEqual(['evt_f6', 'evt_f5', 'evt_f4', 'evt_f3', 'evt_f2', 'evt_f1']);
    // Keyboard: focus the first row, two rows down, Enter opens it.
    await page.locator('#rows tr').first().locator('.row-link').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('#detail-title', { hasText: 'invoice.paid' }).waitFor();
    expect(await page.locator('.detail .ids').textContent()).toContain('evt_f4');
    expect(await page.locator('#rows tr.selected .sub').textContent()).toContain('evt_f4');
    expect(await page.locator('#rows tr.selected .row-link').getAttribute('aria-current')).toBe('true');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.querySelector('.sub')?.textContent)).toContain('evt_f1');
    expect(errors).toEqual([]);
  });

  it('Copy as curl puts a command on the clipboard that repeats the signed request', async () => {
    await start();
    await send(eventBody('customer.created', 'evt_curl_1'));
    await handler.waitForRequests(1);
    const { page, errors } = await openPage(await launchBrowser({ permissions: ['clipboard-read', 'clipboard-write'] }), `${inspector}/#/e/1`);
    await page.locator('#detail-title', { hasText: 'customer.created' }).waitFor();
    await page.locator('#copy-curl').click();
    await page.locator('#action-status', { hasText: 'Copied the curl command' }).waitFor();
    const command = await page.evaluate(() => navigator.clipboard.readText());
    expect(command).toMatch(/^curl -sS -g 'http:\/\/127\.0\.0\.1:\d+\/hooks' -H /);

    await promisify(execFile)('bash', ['-c', command], { timeout: 10_000 });
    const requests = await handler.waitForRequests(2);
    expect(requests[1]!.body.equals(requests[0]!.body)).toBe(true);
    expect(headerValues(requests[1]!, 'stripe-signature')).toEqual(headerValues(requests[0]!, 'stripe-signature'));
    expect(stripeEvent(requests[1]!)).toMatchObject({ id: 'evt_curl_1' });
    expect(errors).toEqual([]);
  });
});
