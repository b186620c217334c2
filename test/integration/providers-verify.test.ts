/**
 * `whcli verify` against a correct handler for each provider beyond the seed set: the handler
 * checks each request with the provider's own verifier (test/helpers/provider-oracles.ts) and, where
 * that verifier leaves it to the handler, refuses stale timestamps as the provider's docs advise.
 * Every check passes for every event: delivery, forgery, unsigned, replay (when the scheme signs a
 * timestamp) and duplicate.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { builtinProviders } from '../../src/providers/builtin.js';
import { handshakeFor } from '../../src/providers/handshakes.js';
import { signerFor } from '../../src/providers/sign.js';
import { handshakeAnswer } from '../helpers/handshake-answers.js';
import { PROVIDER_ORACLES, PROVIDER_SECRETS } from '../helpers/provider-oracles.js';
import { isolatedEnvironment, runVerify } from '../helpers/verify-run.js';
import { startWebhookServer, type ReceivedWebhook, type TestServer } from '../helpers/verify-server.js';

const environment = isolatedEnvironment();
afterAll(() => environment.cleanup());
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const one = (headers: IncomingHttpHeaders, name: string) => String(headers[name] ?? '');
/** The signed timestamp (unix seconds) where the provider's verifier does not check it itself. */
const SIGNED_AT: Record<string, (request: ReceivedWebhook) => number> = {
  zoom: ({ headers }) => Number(one(headers, 'x-zm-request-timestamp')),
  discord: ({ headers }) => Number(one(headers, 'x-signature-timestamp')),
  sendgrid: ({ headers }) => Number(one(headers, 'x-twilio-email-event-webhook-timestamp')),
  zendesk: ({ headers }) => Date.parse(one(headers, 'x-zendesk-webhook-signature-timestamp')) / 1000,
  sanity: ({ headers }) => Number(/t=(\d+)/.exec(one(headers, 'sanity-webhook-signature'))?.[1]) / 1000,
  mailgun: ({ body }) => Number((JSON.parse(body.toString()) as { signature: { timestamp: string } }).signature.timestamp),
  'mailgun-routes': ({ body }) => Number(new URLSearchParams(body.toString()).get('timestamp')),
  'slack-interactivity': ({ headers }) => Number(one(headers, 'x-slack-request-timestamp')),
  // standardwebhooks allows 5 minutes; Yoco's doc recommends at most 3.
  yoco: ({ headers }) => Number(one(headers, 'webhook-timestamp')),
};

const covered = builtinProviders.filter((p) => p.name in PROVIDER_ORACLES);

describe.each(covered.map((p) => [p.name, p] as const))('%s: a correct handler', (name, provider) => {
  it('passes every check for every event type', async () => {
    const asymmetric = provider.scheme.type === 'asymmetric';
    const pair = asymmetric ? (name === 'discord' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' })) : undefined;
    const spki = pair?.publicKey.export({ type: 'spki', format: 'der' });
    const key = spki ? (name === 'discord' ? spki.subarray(-32).toString('hex') : spki.toString('base64')) : PROVIDER_SECRETS[name]!;
    const secret = pair ? pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() : key;
    const tolerance = signerFor(provider).toleranceSec;
    let url = '';
    server = await startWebhookServer(async (request) => {
      const accepted = await PROVIDER_ORACLES[name]!(key, { ...request, url, method: request.method });
      const signedAt = SIGNED_AT[name]?.(request);
      const stale = signedAt !== undefined && tolerance !== undefined && !(Math.abs(Date.now() / 1000 - signedAt) <= tolerance);
      if (!accepted || stale) return { status: 401, body: 'invalid signature' };
      return handshakeAnswer(name, request, key) ?? { status: 200, body: 'ok' };
    });
    url = server.url;
    const { report } = await runVerify(environment, { provider: name, forward: server.url, secret });
    const failures = report.results.filter((r) => r.status !== 'passed').map((r) => `${r.event} ${r.check}: got ${r.got}: ${r.reason}`);
    expect(failures).toEqual([]);
    expect(report.events).toEqual(provider.events.map((e) => e.name));
    expect(report.checks).toContain(tolerance === undefined ? 'duplicate' : 'replay');
    // The handshake runs once, as its own row, for the providers that have one.
    const handshake = handshakeFor(provider);
    expect(report.results.filter((r) => r.check === 'handshake').map((r) => r.event)).toEqual(handshake ? [handshake.name] : []);
    expect(report.ok).toBe(true);
  });
});
