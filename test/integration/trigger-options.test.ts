/**
 * trigger's options, in-process against a real handler: --set, --data, --header, --dry-run,
 * --timeout, and the request each one produces (always still verified by the provider's oracle).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trigger, triggerFailure, type TriggerOptions } from '../../src/commands/trigger.js';
import { UsageError, WhcliError } from '../../src/errors.js';
import { tempDir } from '../helpers/foundation-cli.js';
import { SECRETS, oracleAccepts } from '../helpers/foundation-oracles.js';
import { closedPort, startHungServer, startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

let server: RecordingServer;
let home: { path: string; remove: () => void };
let hung: Awaited<ReturnType<typeof startHungServer>> | undefined;
beforeEach(async () => {
  server = await startRecordingServer();
  home = tempDir();
});
afterEach(async () => {
  await server.close();
  await hung?.close();
  hung = undefined;
  home.remove();
});

const environment = (env: Record<string, string> = {}) => ({ cwd: home.path, env: { WHCLI_HOME: home.path, ...env } });

/** Triggers against the recording server and returns what it received, parsed, after checking the signature. */
async function send(options: Omit<TriggerOptions, 'forward' | 'secret'> & { provider: string }) {
  const secret = SECRETS[options.provider]!;
  const result = await trigger({ forward: server.url, secret, ...options }, { environment: environment() });
  expect(result.ok).toBe(true);
  const received = await server.request(server.requests.length - 1);
  expect(received.body.equals(Buffer.from(result.body))).toBe(true);
  expect(await oracleAccepts(options.provider, secret, received.body, received.headers)).toBe(true);
  return { result, received, body: JSON.parse(received.body.toString('utf8')) as Record<string, any> };
}

async function rejection(promise: Promise<unknown>): Promise<WhcliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WhcliError);
  return error as WhcliError;
}

describe('--set', () => {
  it('sets typed values: numbers, booleans, JSON objects and strings', async () => {
    const { body } = await send({
      event: 'invoice.paid',
      provider: 'laabam',
      set: ['data.amount=100'],
      setNew: ['data.currency=usd', 'data.paid=true', 'data.metadata={"order":"A-1","items":[1,2]}', 'data.reference="007"', 'data.note=null'],
    });
    expect(body.data.amount).toBe(100);
    expect(body.data.paid).toBe(true);
    expect(body.data.metadata).toEqual({ order: 'A-1', items: [1, 2] });
    expect(body.data.currency).toBe('usd');
    expect(body.data.reference).toBe('007');
    expect(body.data.note).toBeNull();
    expect(body.data.invoice_id).toMatch(/^inv_/);
  });

  it('paths start at the envelope (stripe: data.object.amount)', async () => {
    const { body } = await send({ event: 'payment_intent.succeeded', provider: 'stripe', set: ['data.object.amount=4200', 'livemode=true'] });
    expect(body.data.object.amount).toBe(4200);
    expect(body.livemode).toBe(true);
    expect(body.type).toBe('payment_intent.succeeded');
  });

  it('reaches into arrays', async () => {
    const { body } = await send({ event: 'push', provider: 'github', set: ['commits[0].message=hotfix: retry safely'] });
    expect(body.commits[0].message).toBe('hotfix: retry safely');
  });

  it('reaches array elements by a dotted index (stripe: data.object.lines.data.0.amount)', async () => {
    const { body } = await send({ event: 'invoice.paid', provider: 'stripe', set: ['data.object.lines.data.0.amount=5'] });
    expect(body.data.object.lines.data[0].amount).toBe(5);
  });

  it('refuses a field the body does not have, naming the nearest one, before sending anything', async () => {
    const error = await rejection(send({ event: 'invoice.paid', provider: 'stripe', set: ['data.object.amount_dew=1'] }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      '--set data.object.amount_dew: no such field in the body; nearest existing path: data.object.amount_due. To add a field on purpose, use --set-new data.object.amount_dew=<value>',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('--set-new adds a field on purpose, and --set may then change it', async () => {
    const { body } = await send({ event: 'invoice.paid', provider: 'stripe', setNew: ['data.object.metadata.plan=pro'], set: ['data.object.metadata.plan=team'] });
    expect(body.data.object.metadata).toEqual({ plan: 'team' });
  });

  it('rejects an invalid path before sending anything', async () => {
    const error = await rejection(send({ event: 'invoice.paid', provider: 'laabam', set: ['data..amount=1'] }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.code).toBe('WHCLI_ERR_BAD_SET_PATH');
    expect(server.requests).toHaveLength(0);
  });
});

describe('--data', () => {
  it('replaces the data object with inline JSON', async () => {
    const { body } = await send({ event: 'invoice.paid', provider: 'laabam', data: '{"invoice_id":"inv_custom","amount":1}' });
    expect(body).toEqual({ type: 'invoice.paid', data: { invoice_id: 'inv_custom', amount: 1 } });
  });

  it('replaces the data object from a file, keeping its non-ASCII text intact', async () => {
    const file = join(home.path, 'data.json');
    writeFileSync(file, '{\n  "customer_id": "cus_9",\n  "name": "Zoë Ångström"\n}\n');
    const { body, received } = await send({ event: 'customer.created', provider: 'lava', data: file });
    expect(body).toEqual({ event: 'customer.created', data: { customer_id: 'cus_9', name: 'Zoë Ångström' } });
    expect(received.body.toString('utf8')).toContain('Zoë Ångström');
  });

  it('is the stripe data.object, and then --set applies on top', async () => {
    const { body } = await send({ event: 'customer.created', provider: 'stripe', data: '{"id":"cus_1","email":"a@b.c"}', set: ['data.object.email=x@y.z'] });
    expect(body.data).toEqual({ object: { id: 'cus_1', email: 'x@y.z' } });
    expect(body.object).toBe('event');
  });

  it('is the whole body where the envelope is the data itself (github)', async () => {
    const { body, received } = await send({ event: 'issues.opened', provider: 'github', data: '{"action":"opened","issue":{"number":1}}' });
    expect(body).toEqual({ action: 'opened', issue: { number: 1 } });
    expect(received.headers['x-github-event']).toBe('issues');
  });

  it.each([
    ['{"broken":', /^--data value is not valid JSON: /],
    ['no-such-file.json', /^--data "no-such-file\.json" is neither JSON nor a readable file$/],
  ])('rejects %j clearly', async (data, message) => {
    const error = await rejection(send({ event: 'invoice.paid', provider: 'laabam', data }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it('names a data file that is not JSON', async () => {
    const file = join(home.path, 'bad.json');
    writeFileSync(file, 'amount: 5');
    const error = await rejection(send({ event: 'invoice.paid', provider: 'laabam', data: file }));
    expect(error.message).toContain(`--data file ${file} is not valid JSON`);
  });
});

describe('--header', () => {
  it('adds headers; the signature still verifies', async () => {
    const { received, result } = await send({ event: 'push', provider: 'github', header: ['X-Env: staging', 'X-Trace-Id:abc-123'] });
    expect(received.headers['x-env']).toBe('staging');
    expect(received.headers['x-trace-id']).toBe('abc-123');
    expect(result.headers['X-Env']).toBe('staging');
  });

  it('replaces a provider header of the same name whatever its case, instead of sending two', async () => {
    const result = await trigger(
      { event: 'invoice.paid', provider: 'stripe', forward: server.url, secret: SECRETS.stripe, header: ['content-type: text/plain', 'stripe-signature: t=1,v1=forged'] },
      { environment: environment() },
    );
    const received = await server.request(0);
    expect(received.headers['content-type']).toBe('text/plain');
    expect(received.headers['stripe-signature']).toBe('t=1,v1=forged');
    expect(Object.keys(result.headers).filter((h) => h.toLowerCase() === 'content-type')).toEqual(['content-type']);
    expect(await oracleAccepts('stripe', SECRETS.stripe!, received.body, received.headers)).toBe(false);
  });

  it.each(['no-colon', ': value', 'bad name: x'])('rejects %j', async (header) => {
    const error = await rejection(send({ event: 'push', provider: 'github', header: [header] }));
    expect(error.message).toBe(`invalid --header "${header}": expected "Name: value"`);
    expect(error.exitCode).toBe(2);
  });
});

describe('--dry-run', () => {
  it('returns the exact request, signed, and sends nothing', async () => {
    const secret = SECRETS.shopify!;
    const result = await trigger(
      { event: 'orders/paid', provider: 'shopify', forward: `${server.url}/shopify`, secret, dryRun: true, set: ['total_price="10.00"'] },
      { environment: environment() },
    );
    expect(result).toMatchObject({ via: 'dry-run', url: `${server.url}/shopify`, method: 'POST', attempts: [], ok: true, provider: 'shopify', event: 'orders/paid' });
    expect(result.headers['X-Shopify-Topic']).toBe('orders/paid');
    expect(JSON.parse(result.body).total_price).toBe('10.00');
    const asReceived = Object.fromEntries(Object.entries(result.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(await oracleAccepts('shopify', secret, Buffer.from(result.body), asReceived)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('needs no target', async () => {
    const result = await trigger({ event: 'NEW_BUSINESS', secret: 's', dryRun: true }, { environment: environment() });
    expect(result).toMatchObject({ url: '(not sent)', provider: 'lehjah', via: 'dry-run' });
  });
});

describe('target and secret', () => {
  it('asks for a target when there is no --forward, listener or config', async () => {
    const error = await rejection(trigger({ event: 'push', secret: 's' }, { environment: environment() }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^nowhere to send: pass --forward/);
  });

  it('takes the secret from WHCLI_SECRET', async () => {
    const result = await trigger({ event: 'push', forward: server.url }, { environment: environment({ WHCLI_SECRET: SECRETS.github! }) });
    const received = await server.request(0);
    expect(result.ok).toBe(true);
    expect(await oracleAccepts('github', SECRETS.github!, received.body, received.headers)).toBe(true);
  });
});

describe('failures come back as results', () => {
  it('a non-2xx is not ok, with status and body, and triggerFailure names the status', async () => {
    await server.close();
    server = await startRecordingServer(() => ({ status: 422, body: 'missing field: amount' }));
    const result = await trigger({ event: 'push', forward: server.url, secret: 's' }, { environment: environment() });
    expect(result.ok).toBe(false);
    expect(result.attempts[0]!.result).toMatchObject({ status: 422, body: 'missing field: amount' });
    const error = triggerFailure(result);
    expect(error).toMatchObject({ code: 'WHCLI_ERR_NON_2XX', exitCode: 1, message: 'handler answered 422' });
  });

  it('a refused connection says so', async () => {
    const port = await closedPort();
    const result = await trigger({ event: 'push', forward: `127.0.0.1:${port}`, secret: 's' }, { environment: environment() });
    expect(result.ok).toBe(false);
    expect(triggerFailure(result)).toMatchObject({ code: 'WHCLI_ERR_UNREACHABLE', exitCode: 1 });
    expect(triggerFailure(result).message).toMatch(/connection refused/);
  });

  it('--timeout bounds each attempt', async () => {
    hung = await startHungServer();
    const result = await trigger({ event: 'push', forward: `127.0.0.1:${hung.port}`, secret: 's', timeout: '150ms' }, { environment: environment() });
    expect(result.ok).toBe(false);
    expect(triggerFailure(result)).toMatchObject({ code: 'WHCLI_ERR_TIMEOUT', message: `no response from http://127.0.0.1:${hung.port} within 150ms` });
  });

  it('rejects a malformed --timeout', async () => {
    const error = await rejection(trigger({ event: 'push', forward: server.url, secret: 's', timeout: 'soon' }, { environment: environment() }));
    expect(error.message).toBe('invalid --timeout "soon": use e.g. 500ms, 30s, 3m, 24h');
  });
});
