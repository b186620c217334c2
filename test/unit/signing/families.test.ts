/**
 * The signing families' verify() on raw bytes: it accepts what the providers' documented code
 * produces (written here, independently of sign()), and refuses tampering, wrong keys, stale
 * timestamps, another URL and missing signatures. sign() is proven against the official libraries
 * in test/integration/providers-oracles.test.ts.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../../../src/providers/builtin.js';
import { formatPublicKey, generatePrivateKey } from '../../../src/signing/asymmetric.js';
import { createSigner, schemeFamily, type SchemeSpec } from '../../../src/signing/index.js';

const provider = (name: string) => builtinProviders.find((p) => p.name === name)!.scheme;
const now = 1_732_968_000;
const body = Buffer.from('{"event":"meeting.started","payload":{"object":{"id":"6962400003","topic":"Zoë"}}}');
const hmac = (alg: string, key: crypto.BinaryLike, data: crypto.BinaryLike, enc: crypto.BinaryToTextEncoding) => crypto.createHmac(alg, key).update(data).digest(enc);

describe('templated-hmac', () => {
  it('zoom: accepts the docs\' signature, refuses a changed byte, a wrong secret and a stale timestamp', () => {
    const signer = createSigner(provider('zoom'));
    const headers = { 'x-zm-request-timestamp': String(now), 'x-zm-signature': `v0=${hmac('sha256', 'tok', `v0:${now}:${body.toString()}`, 'hex')}` };
    expect(signer.verify({ body, headers, secret: 'tok', now })).toEqual({ ok: true });
    const tampered = Buffer.from(body);
    tampered[5]! ^= 1;
    expect(signer.verify({ body: tampered, headers, secret: 'tok', now }).ok).toBe(false);
    expect(signer.verify({ body, headers, secret: 'tok2', now }).ok).toBe(false);
    expect(signer.verify({ body, headers, secret: 'tok', now: now + 301 })).toMatchObject({ ok: false, reason: expect.stringMatching(/tolerance/) });
    expect(signer.verify({ body, headers: {}, secret: 'tok', now })).toMatchObject({ ok: false, reason: 'missing x-zm-signature header' });
  });

  it('workos: reads "t=…, v1=…" with the space WorkOS writes; the timestamp is in milliseconds', () => {
    const signer = createSigner(provider('workos'));
    const ms = now * 1000;
    const headers = { 'workos-signature': `t=${ms}, v1=${hmac('sha256', 'sec', `${ms}.${body.toString()}`, 'hex')}` };
    expect(signer.verify({ body, headers, secret: 'sec', now })).toEqual({ ok: true });
    expect(signer.verify({ body, headers, secret: 'sec', now: now + 181 }).ok).toBe(false);
  });

  it('twitch: signs id + ISO timestamp + body', () => {
    const signer = createSigner(provider('twitch'));
    const iso = new Date(now * 1000).toISOString();
    const id = 'e76c6bd4-55c9-4987-8304-da1588d8988b';
    const headers = {
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-timestamp': iso,
      'twitch-eventsub-message-signature': `sha256=${hmac('sha256', 'sec', id + iso + body.toString(), 'hex')}`,
    };
    expect(signer.verify({ body, headers, secret: 'sec', now })).toEqual({ ok: true });
    expect(signer.verify({ body, headers: { ...headers, 'twitch-eventsub-message-id': 'other' }, secret: 'sec', now }).ok).toBe(false);
  });

  it('sanity: base64url signature, millisecond timestamp', () => {
    const signer = createSigner(provider('sanity'));
    const ms = now * 1000;
    const sig = hmac('sha256', 'sec', `${ms}.${body.toString()}`, 'base64url');
    expect(signer.verify({ body, headers: { 'sanity-webhook-signature': `t=${ms},v1=${sig}` }, secret: 'sec', now })).toEqual({ ok: true });
  });
});

describe('url-signed', () => {
  const url = 'https://example.com/sms?account=42';
  const form = Buffer.from('To=%2B14155550100&Body=hello+world&From=%2B14155550123&AccountSid=AC1');
  it('twilio: URL + sorted params, HMAC-SHA1 base64 (the docs\' algorithm)', () => {
    const signer = createSigner(provider('twilio'));
    const params = new URLSearchParams(form.toString());
    const data = url + [...params.keys()].sort().map((k) => k + params.get(k)).join('');
    const headers = { 'x-twilio-signature': hmac('sha1', 'token', data, 'base64') };
    expect(signer.verify({ body: form, headers, secret: 'token', url })).toEqual({ ok: true });
    expect(signer.verify({ body: form, headers, secret: 'token', url: 'https://example.com/sms' }).ok).toBe(false);
    expect(signer.verify({ body: form, headers, secret: 'token' })).toEqual({ ok: false, reason: 'the signed URL is unknown' });
  });

  it('hubspot v3: method + URL + body + ms timestamp', () => {
    const signer = createSigner(provider('hubspot'));
    const ms = String(now * 1000);
    const headers = { 'x-hubspot-request-timestamp': ms, 'x-hubspot-signature-v3': hmac('sha256', 'cs', `POST${url}${body.toString()}${ms}`, 'base64') };
    expect(signer.verify({ body, headers, secret: 'cs', url, method: 'POST', now })).toEqual({ ok: true });
    expect(signer.verify({ body, headers, secret: 'cs', url, method: 'PUT', now }).ok).toBe(false);
  });
});

describe('asymmetric', () => {
  it('ed25519: the public key is the raw 32 bytes in hex; verify refuses another key pair', () => {
    const pem = generatePrivateKey('ed25519');
    const signer = createSigner(provider('discord'));
    const headers = Object.fromEntries(Object.entries(signer.sign({ body, secret: pem, timestamp: now, id: '1' })).map(([k, v]) => [k.toLowerCase(), v]));
    // Independent check with node:crypto from the printed hex key.
    const raw = Buffer.from(formatPublicKey(pem, 'raw-hex'), 'hex');
    expect(raw).toHaveLength(32);
    const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    expect(crypto.verify(null, Buffer.concat([Buffer.from(String(now)), body]), key, Buffer.from(headers['x-signature-ed25519']!, 'hex'))).toBe(true);
    expect(signer.verify({ body, headers, secret: pem, now })).toEqual({ ok: true });
    expect(signer.verify({ body, headers, secret: generatePrivateKey('ed25519'), now }).ok).toBe(false);
  });

  it('a secret that is not a PEM private key is an error naming the fix', () => {
    expect(() => createSigner(provider('sendgrid')).sign({ body, secret: 'whsec_x', timestamp: now, id: '1' })).toThrow(/PEM private key/);
  });
});

describe('body-embedded', () => {
  it('mailgun JSON: signing fills the signature object; the rest of the body is kept', () => {
    const signer = createSigner(provider('mailgun'));
    const original = Buffer.from('{"signature":{"timestamp":"","token":"","signature":""},"event-data":{"event":"delivered"}}');
    const signed = Buffer.from(signer.signBody!({ body: original, secret: 'key', timestamp: now, id: 'x' }));
    const parsed = JSON.parse(signed.toString()) as { signature: { timestamp: string; token: string; signature: string }; 'event-data': unknown };
    expect(parsed['event-data']).toEqual({ event: 'delivered' });
    expect(parsed.signature.signature).toBe(hmac('sha256', 'key', parsed.signature.timestamp + parsed.signature.token, 'hex'));
    expect(signer.verify({ body: signed, headers: {}, secret: 'key', now })).toEqual({ ok: true });
    expect(signer.verify({ body: original, headers: {}, secret: 'key', now }).ok).toBe(false);
  });

  it('mailgun routes: the same fields in a form body', () => {
    const signer = createSigner(provider('mailgun-routes'));
    const signed = Buffer.from(signer.signBody!({ body: Buffer.from('recipient=a%40b.c&subject=Hi'), secret: 'key', timestamp: now, id: 'x' }));
    const form = new URLSearchParams(signed.toString());
    expect(form.get('subject')).toBe('Hi');
    expect(form.get('signature')).toBe(hmac('sha256', 'key', `${form.get('timestamp')}${form.get('token')}`, 'hex'));
  });
});

describe('static tokens', () => {
  it('gitlab token and postmark basic auth compare the whole secret', () => {
    const gitlab = createSigner(provider('gitlab'));
    expect(gitlab.verify({ body, headers: { 'x-gitlab-token': 'tok' }, secret: 'tok' })).toEqual({ ok: true });
    expect(gitlab.verify({ body, headers: { 'x-gitlab-token': 'to' }, secret: 'tok' }).ok).toBe(false);
    const postmark = createSigner(provider('postmark'));
    const auth = `Basic ${Buffer.from('user:pass').toString('base64')}`;
    expect(postmark.verify({ body, headers: { authorization: auth }, secret: 'user:pass' })).toEqual({ ok: true });
    expect(postmark.verify({ body, headers: { authorization: auth }, secret: 'user:pas' }).ok).toBe(false);
  });
});

describe('families', () => {
  it('every family has a built-in provider', () => {
    const families = new Set(builtinProviders.map((p) => schemeFamily(p.scheme)));
    expect([...families].sort()).toEqual(['asymmetric', 'body-embedded', 'body-hmac', 'static-token', 'timestamped-hmac', 'url-signed']);
  });

  it.each<[string, SchemeSpec]>([
    ['templated without a timestamp signs none', { type: 'templated-hmac', algorithm: 'sha256', encoding: 'hex', payload: '{body}', header: 'X-Sig' }],
  ])('%s', (_, spec) => {
    expect(createSigner(spec).toleranceSec).toBeUndefined();
  });
});
