/**
 * Stripe scheme, checked against the official `stripe` package: its verifier (constructEvent /
 * signature.verifyHeader) and its own signer (generateTestHeaderString).
 */
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripe as stripeProvider } from '../../../src/providers/catalogue/stripe.js';
import { createSigner } from '../../../src/signing/index.js';
import {
  SIMPLE_BODY,
  TEXT_BODIES,
  TRICKY_BODIES,
  asReceived,
  flipByte,
  nameSet,
  nowSec,
  reserialized,
  tamperLastDigit,
  without,
} from './support.js';

const webhooks = Stripe.webhooks;
const signatureHelper =
  webhooks.signature ??
  (() => {
    throw new Error('stripe.webhooks.signature is missing');
  })();
const client = new Stripe('sk_test_x');
const SECRET = 'whsec_test_5f4dcc3b5aa765d61d8327deb882cf99';
const OTHER_SECRET = 'whsec_rotated_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const WRONG_SECRET = 'whsec_wrong_ffffffffffffffffffffffffffffffff';
const TOL = 300;

const signer = createSigner(stripeProvider.scheme);
const HEADER = 'Stripe-Signature';

function signHeader(body: Uint8Array, timestamp: number, secret = SECRET, extraSecrets: string[] = []) {
  const headers = signer.sign({ body, secret, timestamp, id: 'evt_test', extraSecrets });
  const value = headers[HEADER];
  if (value === undefined) throw new Error(`sign() wrote no ${HEADER}: ${JSON.stringify(headers)}`);
  return { headers, value };
}

/** Stripe's verifier, pinned to a receive time so the tolerance check is deterministic. */
function stripeVerifies(body: string | Buffer, header: string, secret: string, receivedAtSec: number): boolean {
  try {
    signatureHelper.verifyHeader(body, header, secret, TOL, undefined, receivedAtSec * 1000);
    return true;
  } catch (e) {
    if (e instanceof Stripe.errors.StripeSignatureVerificationError) return false;
    throw e;
  }
}

describe('stripe scheme: the spec', () => {
  it('uses the stripe scheme with a 300 s tolerance', () => {
    expect(stripeProvider.scheme).toMatchObject({ type: 'stripe' });
    expect(signer.toleranceSec).toBe(TOL);
  });

  it('headerNames lists exactly the headers sign() writes', () => {
    const { headers } = signHeader(SIMPLE_BODY, nowSec());
    expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(headers)));
    expect(signer.headerNames).toEqual([HEADER]);
  });

  it('headerNames matches sign() with two secrets too', () => {
    const { headers } = signHeader(SIMPLE_BODY, nowSec(), SECRET, [OTHER_SECRET]);
    expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(headers)));
  });
});

describe('stripe scheme: our sign() verified by stripe', () => {
  it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('fixture really breaks on re-serialization: %s', (_, body) => {
    expect(reserialized(body).equals(body.bytes)).toBe(false);
  });

  it.each(TEXT_BODIES.map((b) => [b.name, b] as const))('constructEvent accepts our signature: %s', (_, body) => {
    const ts = nowSec();
    const { value } = signHeader(body.bytes, ts);
    const asString = body.bytes.toString('utf8');
    // Both as the raw string and as the raw Buffer, the two forms Stripe documents.
    expect(webhooks.constructEvent(asString, value, SECRET, TOL, undefined, ts * 1000)).toEqual(JSON.parse(asString));
    expect(client.webhooks.constructEvent(body.bytes, value, SECRET, TOL, undefined, ts * 1000)).toEqual(
      JSON.parse(asString),
    );
    // ...and not the re-serialized body: we signed the bytes, not the JSON value.
    expect(stripeVerifies(reserialized(body), value, SECRET, ts)).toBe(false);
  });

  it.each(TEXT_BODIES.map((b) => [b.name, b] as const))(
    'sign() writes the same header as stripe.generateTestHeaderString: %s',
    (_, body) => {
      const ts = nowSec();
      const expected = client.webhooks.generateTestHeaderString({
        payload: body.bytes.toString('utf8'),
        secret: SECRET,
        timestamp: ts,
      });
      expect(signHeader(body.bytes, ts).value).toBe(expected);
    },
  );

  it('raw binary body: stripe decodes a Buffer as UTF-8, so check against Stripe\'s documented manual scheme', () => {
    const body = TRICKY_BODIES.find((b) => !b.utf8)!;
    const ts = nowSec();
    const { value } = signHeader(body.bytes, ts);
    // https://docs.stripe.com/webhooks#verify-manually: signed_payload = `${t}.` + raw body,
    // HMAC-SHA256 keyed with the endpoint secret as written, hex, compared to each v1.
    const parts = Object.fromEntries(value.split(',').map((p) => p.split('=') as [string, string]));
    expect(parts.t).toBe(String(ts));
    const expected = createHmac('sha256', SECRET)
      .update(Buffer.concat([Buffer.from(`${parts.t}.`), body.bytes]))
      .digest('hex');
    expect(parts.v1).toBe(expected);
    // Stripe's lossy UTF-8 decode cannot verify it, which is why the manual check is used.
    expect(stripeVerifies(body.bytes, value, SECRET, ts)).toBe(false);
  });
});

describe('stripe scheme: key rotation', () => {
  it('a header signed with two secrets verifies under either with stripe, and not a third', () => {
    const ts = nowSec();
    const { value } = signHeader(SIMPLE_BODY, ts, SECRET, [OTHER_SECRET]);
    expect(value.match(/v1=/g)).toHaveLength(2);
    const body = SIMPLE_BODY.toString('utf8');
    expect(webhooks.constructEvent(body, value, SECRET, TOL, undefined, ts * 1000)).toEqual(JSON.parse(body));
    expect(webhooks.constructEvent(body, value, OTHER_SECRET, TOL, undefined, ts * 1000)).toEqual(JSON.parse(body));
    expect(stripeVerifies(body, value, WRONG_SECRET, ts)).toBe(false);
  });

  it.each(TEXT_BODIES.map((b) => [b.name, b] as const))('rotation with tricky body: %s', (_, body) => {
    const ts = nowSec();
    const { value } = signHeader(body.bytes, ts, SECRET, [OTHER_SECRET]);
    expect(stripeVerifies(body.bytes, value, SECRET, ts)).toBe(true);
    expect(stripeVerifies(body.bytes, value, OTHER_SECRET, ts)).toBe(true);
  });

  it('our verify() accepts a two-secret header under either secret', () => {
    const ts = nowSec();
    const { headers } = signHeader(SIMPLE_BODY, ts, SECRET, [OTHER_SECRET]);
    for (const secret of [SECRET, OTHER_SECRET]) {
      expect(signer.verify({ body: SIMPLE_BODY, headers: asReceived(headers), secret, now: ts })).toEqual({ ok: true });
    }
    expect(signer.verify({ body: SIMPLE_BODY, headers: asReceived(headers), secret: WRONG_SECRET, now: ts }).ok).toBe(
      false,
    );
  });
});

describe('stripe scheme: our verify() on headers stripe made', () => {
  it.each(TEXT_BODIES.map((b) => [b.name, b] as const))('accepts generateTestHeaderString: %s', (_, body) => {
    const ts = nowSec() - 42;
    const header = webhooks.generateTestHeaderString({ payload: body.bytes.toString('utf8'), secret: SECRET, timestamp: ts });
    const result = signer.verify({ body: body.bytes, headers: { 'stripe-signature': header }, secret: SECRET, now: ts + 10 });
    expect(result).toEqual({ ok: true });
  });

  it('accepts a real-world header that also carries a v0 signature', () => {
    const ts = nowSec();
    const header = webhooks.generateTestHeaderString({ payload: SIMPLE_BODY.toString(), secret: SECRET, timestamp: ts });
    const withV0 = `${header},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39`;
    expect(signer.verify({ body: SIMPLE_BODY, headers: { 'stripe-signature': withV0 }, secret: SECRET, now: ts })).toEqual({
      ok: true,
    });
  });

  it('rejects a correct HMAC carried only under a non-v1 scheme (no downgrade)', () => {
    const ts = nowSec();
    const header = webhooks.generateTestHeaderString({
      payload: SIMPLE_BODY.toString(),
      secret: SECRET,
      timestamp: ts,
      scheme: 'v0',
    });
    expect(header).toMatch(/^t=\d+,v0=[0-9a-f]{64}$/);
    expect(signer.verify({ body: SIMPLE_BODY, headers: { 'stripe-signature': header }, secret: SECRET, now: ts }).ok).toBe(
      false,
    );
  });

  it('rejects a header whose v1 stripe made with another secret', () => {
    const ts = nowSec();
    const header = webhooks.generateTestHeaderString({ payload: SIMPLE_BODY.toString(), secret: WRONG_SECRET, timestamp: ts });
    expect(signer.verify({ body: SIMPLE_BODY, headers: { 'stripe-signature': header }, secret: SECRET, now: ts }).ok).toBe(
      false,
    );
  });
});

describe('stripe scheme: our verify() rejects tampering', () => {
  const ts = nowSec();
  const good = () => asReceived(signHeader(SIMPLE_BODY, ts).headers);

  it('accepts the untouched request (control)', () => {
    expect(signer.verify({ body: SIMPLE_BODY, headers: good(), secret: SECRET, now: ts })).toEqual({ ok: true });
  });

  it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('rejects a flipped body byte: %s', (_, body) => {
    const headers = asReceived(signHeader(body.bytes, ts).headers);
    expect(signer.verify({ body: body.bytes, headers, secret: SECRET, now: ts })).toEqual({ ok: true });
    expect(signer.verify({ body: flipByte(body.bytes), headers, secret: SECRET, now: ts }).ok).toBe(false);
    expect(signer.verify({ body: flipByte(body.bytes, body.bytes.length - 1), headers, secret: SECRET, now: ts }).ok).toBe(
      false,
    );
  });

  it('rejects a re-serialized body', () => {
    const body = TEXT_BODIES[0]!;
    const headers = asReceived(signHeader(body.bytes, ts).headers);
    expect(signer.verify({ body: reserialized(body), headers, secret: SECRET, now: ts }).ok).toBe(false);
  });

  it('rejects a wrong secret', () => {
    expect(signer.verify({ body: SIMPLE_BODY, headers: good(), secret: WRONG_SECRET, now: ts }).ok).toBe(false);
  });

  it('rejects a missing header', () => {
    expect(signer.verify({ body: SIMPLE_BODY, headers: without(good(), HEADER), secret: SECRET, now: ts }).ok).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers: {}, secret: SECRET, now: ts }).ok).toBe(false);
  });

  it('rejects a v1 differing only in its last digit', () => {
    const value = signHeader(SIMPLE_BODY, ts).value;
    const tampered = tamperLastDigit(value, 'hex');
    expect(tampered).not.toBe(value);
    expect(stripeVerifies(SIMPLE_BODY, tampered, SECRET, ts)).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers: { 'stripe-signature': tampered }, secret: SECRET, now: ts }).ok).toBe(
      false,
    );
  });

  it('rejects a header with the timestamp changed (the timestamp is signed)', () => {
    const value = signHeader(SIMPLE_BODY, ts).value.replace(`t=${ts}`, `t=${ts + 1}`);
    expect(stripeVerifies(SIMPLE_BODY, value, SECRET, ts)).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers: { 'stripe-signature': value }, secret: SECRET, now: ts }).ok).toBe(
      false,
    );
  });
});

describe('stripe scheme: timestamp tolerance', () => {
  const verifyAt = (signedAt: number, now: number) =>
    signer.verify({ body: SIMPLE_BODY, headers: asReceived(signHeader(SIMPLE_BODY, signedAt).headers), secret: SECRET, now });

  it('rejects a stale timestamp beyond tolerance, and stripe agrees', () => {
    const now = nowSec();
    const signedAt = now - TOL - 1;
    expect(verifyAt(signedAt, now).ok).toBe(false);
    expect(stripeVerifies(SIMPLE_BODY, signHeader(SIMPLE_BODY, signedAt).value, SECRET, now)).toBe(false);
    // Same header, verified when it was fresh: only the clock made the difference.
    expect(verifyAt(signedAt, signedAt)).toEqual({ ok: true });
  });

  it('rejects a future timestamp beyond tolerance', () => {
    const now = nowSec();
    expect(verifyAt(now + TOL + 1, now).ok).toBe(false);
    expect(verifyAt(now + TOL + 1, now + TOL + 1)).toEqual({ ok: true });
  });

  it.each([-(TOL - 1), -1, 0, 1, TOL - 1])('accepts a timestamp %i s from now, inside tolerance', (offset) => {
    const now = nowSec();
    expect(verifyAt(now + offset, now)).toEqual({ ok: true });
  });

  it.each([TOL - 1, TOL, TOL + 1, 3600])('agrees with stripe on a request %i s old', (age) => {
    const now = nowSec();
    const { value, headers } = signHeader(SIMPLE_BODY, now - age);
    const ours = signer.verify({ body: SIMPLE_BODY, headers: asReceived(headers), secret: SECRET, now }).ok;
    expect(ours).toBe(stripeVerifies(SIMPLE_BODY, value, SECRET, now));
  });

  it('honours a per-call tolerance override', () => {
    const now = nowSec();
    const headers = asReceived(signHeader(SIMPLE_BODY, now - 11).headers);
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now, toleranceSec: 10 }).ok).toBe(false);
    expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now, toleranceSec: 11 })).toEqual({ ok: true });
  });
});
