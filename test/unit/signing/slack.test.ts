/**
 * Slack scheme, checked against Slack's documented verification code
 * (https://api.slack.com/authentication/verifying-requests-from-slack), written out below.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slack as provider } from '../../../src/providers/catalogue/slack.js';
import { createSigner, type HeaderBag } from '../../../src/signing/index.js';
import {
  SIMPLE_BODY,
  TRICKY_BODIES,
  asReceived,
  flipByte,
  nameSet,
  nowSec,
  reserialized,
  tamperLastDigit,
  without,
} from './support.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const WRONG_SECRET = '8f742231b10e8888abcd99yyyzzz85a6';
const TOL = 300;
const signer = createSigner(provider.scheme);

// ---- Slack's documented verification, as in its guide ---------------------------------------
// const timestamp = req.headers['x-slack-request-timestamp'];
// if (Math.abs(time.time() - timestamp) > 60 * 5) return;   // replay protection
// const sigBasestring = 'v0:' + timestamp + ':' + requestBody;
// const mySignature = 'v0=' + hmac_sha256(slackSigningSecret, sigBasestring).hexdigest();
// compare mySignature with x-slack-signature in constant time.
// requestBody is the raw body; a Buffer is concatenated as bytes so binary bodies stay exact.
function slackBasestring(timestamp: string, requestBody: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`v0:${timestamp}:`, 'utf8'), Buffer.from(requestBody)]);
}

function slackComputeSignature(signingSecret: string, timestamp: string, requestBody: string | Buffer): string {
  return 'v0=' + crypto.createHmac('sha256', signingSecret).update(slackBasestring(timestamp, requestBody)).digest('hex');
}

function slackIsValid(signingSecret: string, headers: HeaderBag, requestBody: string | Buffer, nowSeconds: number): boolean {
  const timestamp = headers['x-slack-request-timestamp'];
  const slackSignature = headers['x-slack-signature'];
  if (typeof timestamp !== 'string' || typeof slackSignature !== 'string') return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 60 * 5) return false;
  const mySignature = slackComputeSignature(signingSecret, timestamp, requestBody);
  const a = Buffer.from(mySignature, 'utf8');
  const b = Buffer.from(slackSignature, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
// ----------------------------------------------------------------------------------------------

const sign = (body: Uint8Array, ts: number, secret = SECRET) =>
  signer.sign({ body, secret, timestamp: ts, id: 'Ev0001' });

describe('slack scheme: the spec', () => {
  it('uses the slack scheme with the 5-minute window Slack documents', () => {
    expect(provider.scheme).toMatchObject({ type: 'slack' });
    expect(signer.toleranceSec).toBe(60 * 5);
  });

  it('headerNames lists exactly the headers sign() writes', () => {
    const headers = sign(SIMPLE_BODY, nowSec());
    expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(headers)));
    expect(nameSet(signer.headerNames)).toEqual(nameSet(['X-Slack-Signature', 'X-Slack-Request-Timestamp']));
  });

  it('writes the timestamp it was given and a v0= hex signature', () => {
    const ts = nowSec();
    const headers = asReceived(sign(SIMPLE_BODY, ts));
    expect(headers['x-slack-request-timestamp']).toBe(String(ts));
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
  });
});

describe('slack scheme: our sign() checked by Slack\'s documented code', () => {
  it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('fixture really breaks when mishandled: %s', (_, body) => {
    expect(reserialized(body).equals(body.bytes)).toBe(false);
  });

  it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('accepted: %s', (_, body) => {
    const ts = nowSec();
    const headers = asReceived(sign(body.bytes, ts));
    expect(headers['x-slack-signature']).toBe(slackComputeSignature(SECRET, String(ts), body.bytes));
    expect(slackIsValid(SECRET, headers, body.bytes, ts)).toBe(true);
    if (body.utf8) expect(slackIsValid(SECRET, headers, body.bytes.toString('utf8'), ts)).toBe(true);
    expect(slackIsValid(SECRET, headers, reserialized(body), ts)).toBe(false);
    expect(slackIsValid(WRONG_SECRET, headers, body.bytes, ts)).toBe(false);
  });
});

describe('slack scheme: our verify() on what Slack\'s formula produced', () => {
  const slackHeaders = (ts: number, body: string | Buffer, secret = SECRET): HeaderBag => ({
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackComputeSignature(secret, String(ts), body),
  });

  it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('accepts: %s', (_, body) => {
    const ts = nowSec() - 30;
    const headers = slackHeaders(ts, body.bytes);
    expect(signer.verify({ body: body.bytes, headers, secret: SECRET, now: ts + 1 })).toEqual({ ok: true });
    expect(signer.verify({ body: reserialized(body), headers, secret: SECRET, now: ts + 1 }).ok).toBe(false);
  });

  it('rejects a signature Slack made with another secret', () => {
    const ts = nowSec();
    const headers = slackHeaders(ts, SIMPLE_BODY, WRONG_SECRET);
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts }).ok).toBe(false);
  });

  it('reads headers case-insensitively as node delivers them (lower-case) and takes the first of repeats', () => {
    const ts = nowSec();
    const headers: HeaderBag = {
      'x-slack-request-timestamp': [String(ts)],
      'x-slack-signature': [slackComputeSignature(SECRET, String(ts), SIMPLE_BODY), 'v0=00'],
    };
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts })).toEqual({ ok: true });
  });
});

describe('slack scheme: our verify() rejects tampering', () => {
  const ts = nowSec();
  const good = () => asReceived(sign(SIMPLE_BODY, ts));

  it('accepts the untouched request (control)', () => {
    expect(signer.verify({ body: SIMPLE_BODY, headers: good(), secret: SECRET, now: ts })).toEqual({ ok: true });
  });

  it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('rejects a flipped body byte: %s', (_, body) => {
    const headers = asReceived(sign(body.bytes, ts));
    expect(signer.verify({ body: body.bytes, headers, secret: SECRET, now: ts })).toEqual({ ok: true });
    expect(signer.verify({ body: flipByte(body.bytes), headers, secret: SECRET, now: ts }).ok).toBe(false);
    expect(signer.verify({ body: flipByte(body.bytes, body.bytes.length - 1), headers, secret: SECRET, now: ts }).ok).toBe(
      false,
    );
  });

  it('rejects a wrong secret', () => {
    expect(signer.verify({ body: SIMPLE_BODY, headers: good(), secret: WRONG_SECRET, now: ts }).ok).toBe(false);
  });

  it.each(['X-Slack-Signature', 'X-Slack-Request-Timestamp'])('rejects a missing %s header', (name) => {
    const headers = without(good(), name);
    expect(Object.keys(headers)).toHaveLength(1);
    expect(slackIsValid(SECRET, headers, SIMPLE_BODY, ts)).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts }).ok).toBe(false);
  });

  it('rejects a signature differing only in its last digit', () => {
    const headers = good();
    const tampered = { ...headers, 'x-slack-signature': tamperLastDigit(headers['x-slack-signature'] as string, 'hex') };
    expect(tampered['x-slack-signature']).not.toBe(headers['x-slack-signature']);
    expect(slackIsValid(SECRET, tampered, SIMPLE_BODY, ts)).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers: tampered, secret: SECRET, now: ts }).ok).toBe(false);
  });

  it('rejects a changed timestamp (the timestamp is signed)', () => {
    const headers = { ...good(), 'x-slack-request-timestamp': String(ts - 1) };
    expect(slackIsValid(SECRET, headers, SIMPLE_BODY, ts)).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts }).ok).toBe(false);
  });
});

describe('slack scheme: timestamp tolerance', () => {
  const verifyAt = (signedAt: number, now: number) =>
    signer.verify({ body: SIMPLE_BODY, headers: asReceived(sign(SIMPLE_BODY, signedAt)), secret: SECRET, now });

  it('rejects a stale timestamp beyond tolerance', () => {
    const now = nowSec();
    const signedAt = now - TOL - 1;
    expect(verifyAt(signedAt, now).ok).toBe(false);
    expect(verifyAt(signedAt, signedAt)).toEqual({ ok: true });
  });

  it('rejects a future timestamp beyond tolerance', () => {
    const now = nowSec();
    const signedAt = now + TOL + 1;
    expect(verifyAt(signedAt, now).ok).toBe(false);
    expect(verifyAt(signedAt, signedAt)).toEqual({ ok: true });
  });

  it.each([-(TOL - 1), -1, 0, 1, TOL - 1])('accepts a timestamp %i s from now, inside tolerance', (offset) => {
    const now = nowSec();
    expect(verifyAt(now + offset, now)).toEqual({ ok: true });
  });

  it.each([-86400, -TOL - 1, -TOL, -TOL + 1, TOL - 1, TOL, TOL + 1, 86400])(
    'agrees with Slack\'s documented check on a timestamp %i s from now',
    (offset) => {
      const now = nowSec();
      const headers = asReceived(sign(SIMPLE_BODY, now + offset));
      const ours = signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now }).ok;
      expect(ours).toBe(slackIsValid(SECRET, headers, SIMPLE_BODY, now));
    },
  );

  it('honours a per-call tolerance override', () => {
    const now = nowSec();
    const headers = asReceived(sign(SIMPLE_BODY, now - 11));
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now, toleranceSec: 10 }).ok).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now, toleranceSec: 11 })).toEqual({ ok: true });
  });
});
