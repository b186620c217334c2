/**
 * `trigger` for every event of every built-in provider, in-process against a real node:http
 * handler: the handler gets exactly the rendered bytes, and the provider's own verification
 * (official library or its documented code) accepts the signature.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trigger } from '../../src/commands/trigger.js';
import { builtinProviders } from '../../src/providers/builtin.js';
import { tempDir } from '../helpers/foundation-cli.js';
import { ORACLE_PROVIDERS, SECRETS, oracleAccepts } from '../helpers/foundation-oracles.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

let server: RecordingServer;
let home: { path: string; remove: () => void };
beforeEach(async () => {
  server = await startRecordingServer();
  home = tempDir();
});
afterEach(async () => {
  await server.close();
  home.remove();
});

const environment = () => ({ cwd: home.path, env: { WHCLI_HOME: home.path } });
// The other providers are covered by providers-oracles.test.ts, through the CLI.
const seeded = builtinProviders.filter((p) => ORACLE_PROVIDERS.includes(p.name));
const cases = seeded.flatMap((p) => p.events.map((e) => [`${p.name} ${e.name}`, p.name, e.name] as const));

describe('oracles', () => {
  it('cover a built-in provider each', () => {
    expect(seeded.map((p) => p.name).sort()).toEqual([...ORACLE_PROVIDERS].sort());
  });
});

describe('trigger: every event of every provider', () => {
  it.each(cases)('%s', async (_, providerName, eventName) => {
    const secret = SECRETS[providerName]!;
    const result = await trigger(
      { event: eventName, provider: providerName, forward: `${server.url}/webhooks/${providerName}`, secret },
      { environment: environment() },
    );

    expect(result).toMatchObject({ ok: true, provider: providerName, event: eventName, via: 'forward', method: 'POST' });
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]!.result).toMatchObject({ ok: true, status: 200, body: 'ok' });
    expect(server.requests).toHaveLength(1);

    const received = await server.request(0);
    expect(received.method).toBe('POST');
    expect(received.url).toBe(`/webhooks/${providerName}`);
    // Exactly the bytes trigger rendered and reports, never re-serialized on the way.
    expect(received.body.equals(Buffer.from(result.body, 'utf8'))).toBe(true);
    expect(received.headers['content-type']).toBe('application/json');

    // The provider's own verification accepts it, and rejects the same request one byte off.
    expect(await oracleAccepts(providerName, secret, received.body, received.headers)).toBe(true);
    const tampered = Buffer.from(received.body);
    tampered[tampered.length >> 1]! ^= 0x01;
    expect(await oracleAccepts(providerName, secret, tampered, received.headers)).toBe(false);
    // (Last character changed, not appended: a base64 whsec_ key would ignore a trailing extra.)
    const wrongSecret = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect(await oracleAccepts(providerName, wrongSecret, received.body, received.headers)).toBe(false);

    // The headers trigger reports are the headers the handler got.
    for (const [name, value] of Object.entries(result.headers)) expect(received.headers[name.toLowerCase()], name).toBe(value);

    const body = JSON.parse(received.body.toString('utf8')) as Record<string, unknown>;
    if (providerName === 'github') {
      const [base, ...action] = eventName.split('.');
      expect(received.headers['x-github-event']).toBe(base);
      expect(received.headers['x-github-delivery']).toBe(result.eventId);
      if (action.length) expect(body.action).toBe(action.join('.'));
      else expect(body.action).toBeUndefined();
    }
    if (providerName === 'shopify') {
      expect(received.headers['x-shopify-topic']).toBe(eventName);
      expect(received.headers['x-shopify-webhook-id']).toBe(result.eventId);
    }
    if (providerName === 'stripe') expect(body).toMatchObject({ id: result.eventId, object: 'event', type: eventName });
    if (providerName === 'standard-webhooks') {
      expect(received.headers['webhook-id']).toBe(result.eventId);
      expect(body.type).toBe(eventName);
    }
    if (providerName === 'slack') expect(body).toMatchObject({ type: 'event_callback', event_id: result.eventId, event: { type: eventName } });
    if (providerName === 'hackmamba') expect(body).toMatchObject({ id: result.eventId, type: eventName });
    if (['laabam'].includes(providerName)) expect(body.type).toBe(eventName);
    if (['lahza', 'lava', 'lehjah', 'paystack'].includes(providerName)) expect(body.event).toBe(eventName);
  });
});
