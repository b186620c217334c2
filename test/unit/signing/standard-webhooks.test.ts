/**
 * Standard Webhooks scheme, checked against the official `standardwebhooks` package (verify and
 * sign), and the same signer configured with svix-* header names checked against `svix`.
 */
import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { Webhook as SvixWebhook, WebhookVerificationError as SvixVerificationError } from 'svix';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { standardWebhooks as provider } from '../../../src/providers/catalogue/standard-webhooks.js';
import { createSigner, type HeaderBag, type Signer } from '../../../src/signing/index.js';
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

// The example secret from the Standard Webhooks spec, and two more of the same shape.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = `whsec_${Buffer.from('a rotated key, 32 bytes long!!!!').toString('base64')}`;
const WRONG_SECRET = `whsec_${Buffer.from('definitely not the right key....').toString('base64')}`;
const MSG_ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const TOL = 300;

const SVIX_SCHEME = {
  type: 'standard-webhooks',
  idHeader: 'svix-id',
  timestampHeader: 'svix-timestamp',
  signatureHeader: 'svix-signature',
} as const;

afterEach(() => {
  vi.useRealTimers();
});

/** Runs an official verifier with the system clock pinned, reporting accept/reject. */
function libAccepts(atSec: number, run: () => unknown): boolean {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(atSec * 1000);
  try {
    run();
    return true;
  } catch (e) {
    if (e instanceof WebhookVerificationError || e instanceof SvixVerificationError) return false;
    throw e;
  } finally {
    vi.useRealTimers();
  }
}

interface Flavour {
  name: string;
  signer: Signer;
  names: { id: string; ts: string; sig: string };
  /** The official verifier for this flavour; throws on rejection. */
  libVerify: (secret: string, payload: string | Buffer, headers: Record<string, string>) => unknown;
  libSign: (secret: string, id: string, ts: number, payload: string | Buffer) => string;
}

const FLAVOURS: Flavour[] = [
  {
    name: 'standard-webhooks (catalogue spec)',
    signer: createSigner(provider.scheme),
    names: { id: 'webhook-id', ts: 'webhook-timestamp', sig: 'webhook-signature' },
    libVerify: (secret, payload, headers) => new Webhook(secret).verify(payload, headers),
    libSign: (secret, id, ts, payload) => new Webhook(secret).sign(id, new Date(ts * 1000), payload),
  },
  {
    name: 'svix (svix-* header names)',
    signer: createSigner(SVIX_SCHEME),
    names: { id: 'svix-id', ts: 'svix-timestamp', sig: 'svix-signature' },
    libVerify: (secret, payload, headers) =>
      new SvixWebhook(secret).verify(payload, headers as { 'svix-id': string; 'svix-timestamp': string; 'svix-signature': string }),
    libSign: (secret, id, ts, payload) => new SvixWebhook(secret).sign(id, new Date(ts * 1000), payload),
  },
];

it('the catalogue spec is the standard-webhooks scheme with a 300 s tolerance', () => {
  expect(provider.scheme).toMatchObject({ type: 'standard-webhooks' });
  expect(createSigner(provider.scheme).toleranceSec).toBe(TOL);
});

describe.each(FLAVOURS.map((f) => [f.name, f] as const))('%s', (_, f) => {
  const { signer, names } = f;

  function sign(body: Uint8Array, ts: number, secret = SECRET, extraSecrets: string[] = [], id = MSG_ID) {
    return signer.sign({ body, secret, timestamp: ts, id, extraSecrets });
  }

  const libAcceptsOurs = (body: string | Buffer, headers: Record<string, string>, secret: string, at: number) =>
    libAccepts(at, () => f.libVerify(secret, body, headers));

  describe('headers', () => {
    it('headerNames lists exactly the headers sign() writes', () => {
      const headers = sign(SIMPLE_BODY, nowSec());
      expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(headers)));
      expect(nameSet(signer.headerNames)).toEqual(nameSet([names.id, names.ts, names.sig]));
    });

    it('headerNames matches sign() with several secrets', () => {
      const headers = sign(SIMPLE_BODY, nowSec(), SECRET, [OTHER_SECRET]);
      expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(headers)));
    });

    it('writes the id and timestamp it was given', () => {
      const ts = nowSec();
      const headers = sign(SIMPLE_BODY, ts);
      expect(headers[names.id]).toBe(MSG_ID);
      expect(headers[names.ts]).toBe(String(ts));
      expect(headers[names.sig]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    });
  });

  describe('our sign() verified by the official library', () => {
    it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('fixture really breaks when mishandled: %s', (_, body) => {
      expect(reserialized(body).equals(body.bytes)).toBe(false);
    });

    it.each(TEXT_BODIES.map((b) => [b.name, b] as const))('verify() accepts our signature: %s', (_, body) => {
      const ts = nowSec();
      const headers = sign(body.bytes, ts);
      const asString = body.bytes.toString('utf8');
      expect(libAccepts(ts, () => expect(f.libVerify(SECRET, asString, headers)).toEqual(JSON.parse(asString)))).toBe(true);
      expect(libAcceptsOurs(body.bytes, headers, SECRET, ts)).toBe(true);
      // The library rejects the mishandled body: we signed the bytes, not the JSON value.
      expect(libAcceptsOurs(reserialized(body), headers, SECRET, ts)).toBe(false);
    });

    it.each(TEXT_BODIES.map((b) => [b.name, b] as const))('the signature equals the library\'s own sign(): %s', (_, body) => {
      const ts = nowSec();
      expect(sign(body.bytes, ts)[names.sig]).toBe(f.libSign(SECRET, MSG_ID, ts, body.bytes.toString('utf8')));
    });

    it('raw binary body: the library decodes Buffers as UTF-8, so check against the spec formula', () => {
      const body = TRICKY_BODIES.find((b) => !b.utf8)!;
      const ts = nowSec();
      const headers = sign(body.bytes, ts);
      // Standard Webhooks spec: base64(HMAC-SHA256(base64decode(secret without whsec_),
      // "${id}.${timestamp}." + raw body)), sent as "v1,<sig>".
      const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key)
        .update(Buffer.concat([Buffer.from(`${MSG_ID}.${ts}.`), body.bytes]))
        .digest('base64');
      expect(headers[names.sig]).toBe(`v1,${expected}`);
      expect(libAcceptsOurs(body.bytes, headers, SECRET, ts)).toBe(false); // lossy decode, as documented above
    });

    it('a secret given without the whsec_ prefix means the same key', () => {
      const ts = nowSec();
      const headers = sign(SIMPLE_BODY, ts, SECRET.slice('whsec_'.length));
      expect(libAcceptsOurs(SIMPLE_BODY.toString(), headers, SECRET, ts)).toBe(true);
    });

    it('the id is signed: another id is rejected by the library', () => {
      const ts = nowSec();
      const headers = { ...sign(SIMPLE_BODY, ts), [names.id]: 'msg_other' };
      expect(libAcceptsOurs(SIMPLE_BODY.toString(), headers, SECRET, ts)).toBe(false);
    });
  });

  describe('key rotation', () => {
    it('signing with two secrets verifies under either with the library, and not a third', () => {
      const ts = nowSec();
      const headers = sign(SIMPLE_BODY, ts, SECRET, [OTHER_SECRET]);
      expect(headers[names.sig]!.split(' ')).toHaveLength(2);
      const body = SIMPLE_BODY.toString();
      expect(libAcceptsOurs(body, headers, SECRET, ts)).toBe(true);
      expect(libAcceptsOurs(body, headers, OTHER_SECRET, ts)).toBe(true);
      expect(libAcceptsOurs(body, headers, WRONG_SECRET, ts)).toBe(false);
    });

    it.each(TEXT_BODIES.map((b) => [b.name, b] as const))('rotation with tricky body: %s', (_, body) => {
      const ts = nowSec();
      const headers = sign(body.bytes, ts, SECRET, [OTHER_SECRET]);
      expect(libAcceptsOurs(body.bytes.toString('utf8'), headers, SECRET, ts)).toBe(true);
      expect(libAcceptsOurs(body.bytes.toString('utf8'), headers, OTHER_SECRET, ts)).toBe(true);
    });

    it('our verify() accepts a two-secret header under either secret', () => {
      const ts = nowSec();
      const headers = asReceived(sign(SIMPLE_BODY, ts, SECRET, [OTHER_SECRET]));
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts })).toEqual({ ok: true });
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: OTHER_SECRET, now: ts })).toEqual({ ok: true });
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: WRONG_SECRET, now: ts }).ok).toBe(false);
    });
  });

  describe('our verify() on what the library signed', () => {
    const libHeaders = (body: string | Buffer, ts: number, sigs: string[]): HeaderBag => ({
      [names.id]: MSG_ID,
      [names.ts]: String(ts),
      [names.sig]: sigs.join(' '),
    });

    it.each(TEXT_BODIES.map((b) => [b.name, b] as const))('accepts the library\'s sign(): %s', (_, body) => {
      const ts = nowSec() - 17;
      const sig = f.libSign(SECRET, MSG_ID, ts, body.bytes.toString('utf8'));
      const headers = libHeaders(body.bytes, ts, [sig]);
      expect(signer.verify({ body: body.bytes, headers, secret: SECRET, now: ts + 5 })).toEqual({ ok: true });
      expect(signer.verify({ body: reserialized(body), headers, secret: SECRET, now: ts + 5 }).ok).toBe(false);
    });

    it('accepts a library-made rotation header under either secret', () => {
      const ts = nowSec();
      const body = SIMPLE_BODY.toString();
      const headers = libHeaders(body, ts, [f.libSign(OTHER_SECRET, MSG_ID, ts, body), f.libSign(SECRET, MSG_ID, ts, body)]);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts })).toEqual({ ok: true });
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: OTHER_SECRET, now: ts })).toEqual({ ok: true });
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: WRONG_SECRET, now: ts }).ok).toBe(false);
    });

    it('skips signatures of other versions (e.g. v1a) and still finds the v1', () => {
      const ts = nowSec();
      const body = SIMPLE_BODY.toString();
      const headers = libHeaders(body, ts, ['v1a,aGVsbG8gd29ybGQ=', f.libSign(SECRET, MSG_ID, ts, body)]);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts })).toEqual({ ok: true });
    });

    it('rejects the right HMAC under a non-v1 version label', () => {
      const ts = nowSec();
      const body = SIMPLE_BODY.toString();
      const v2 = f.libSign(SECRET, MSG_ID, ts, body).replace(/^v1,/, 'v2,');
      const headers = libHeaders(body, ts, [v2]);
      expect(libAccepts(ts, () => f.libVerify(SECRET, body, headers as Record<string, string>))).toBe(false);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts }).ok).toBe(false);
    });
  });

  describe('our verify() rejects tampering', () => {
    const ts = nowSec();
    const good = () => asReceived(sign(SIMPLE_BODY, ts));

    it('accepts the untouched request (control)', () => {
      expect(signer.verify({ body: SIMPLE_BODY, headers: good(), secret: SECRET, now: ts })).toEqual({ ok: true });
    });

    it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('rejects a flipped body byte: %s', (_, body) => {
      const headers = asReceived(sign(body.bytes, ts));
      expect(signer.verify({ body: body.bytes, headers, secret: SECRET, now: ts })).toEqual({ ok: true });
      expect(signer.verify({ body: flipByte(body.bytes), headers, secret: SECRET, now: ts }).ok).toBe(false);
      expect(signer.verify({ body: flipByte(body.bytes, 0), headers, secret: SECRET, now: ts }).ok).toBe(false);
    });

    it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('rejects the mishandled body: %s', (_, body) => {
      const headers = asReceived(sign(body.bytes, ts));
      expect(signer.verify({ body: reserialized(body), headers, secret: SECRET, now: ts }).ok).toBe(false);
    });

    it('rejects a wrong secret', () => {
      expect(signer.verify({ body: SIMPLE_BODY, headers: good(), secret: WRONG_SECRET, now: ts }).ok).toBe(false);
    });

    it.each(['id', 'ts', 'sig'] as const)('rejects a missing %s header', (which) => {
      const headers = without(good(), names[which]);
      expect(Object.keys(headers)).toHaveLength(2);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts }).ok).toBe(false);
    });

    it('rejects a signature differing only in its last digit', () => {
      const headers = good();
      const value = headers[names.sig] as string;
      const tampered = { ...headers, [names.sig]: tamperLastDigit(value, 'base64') };
      expect(tampered[names.sig]).not.toBe(value);
      expect(libAccepts(ts, () => f.libVerify(SECRET, SIMPLE_BODY.toString(), tampered as Record<string, string>))).toBe(false);
      expect(signer.verify({ body: SIMPLE_BODY, headers: tampered, secret: SECRET, now: ts }).ok).toBe(false);
    });

    it('rejects a changed id', () => {
      const headers = { ...good(), [names.id]: 'msg_other' };
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts }).ok).toBe(false);
    });

    it('rejects a changed timestamp (the timestamp is signed)', () => {
      const headers = { ...good(), [names.ts]: String(ts - 1) };
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET, now: ts }).ok).toBe(false);
    });
  });

  describe('timestamp tolerance', () => {
    const verifyAt = (signedAt: number, now: number) =>
      signer.verify({ body: SIMPLE_BODY, headers: asReceived(sign(SIMPLE_BODY, signedAt)), secret: SECRET, now });

    it('rejects a stale timestamp beyond tolerance, and the library agrees', () => {
      const now = nowSec();
      const signedAt = now - TOL - 1;
      expect(verifyAt(signedAt, now).ok).toBe(false);
      expect(libAcceptsOurs(SIMPLE_BODY.toString(), sign(SIMPLE_BODY, signedAt), SECRET, now)).toBe(false);
      expect(verifyAt(signedAt, signedAt)).toEqual({ ok: true });
    });

    it('rejects a future timestamp beyond tolerance, and the library agrees', () => {
      const now = nowSec();
      const signedAt = now + TOL + 1;
      expect(verifyAt(signedAt, now).ok).toBe(false);
      expect(libAcceptsOurs(SIMPLE_BODY.toString(), sign(SIMPLE_BODY, signedAt), SECRET, now)).toBe(false);
      expect(verifyAt(signedAt, signedAt)).toEqual({ ok: true });
    });

    it.each([-(TOL - 1), -1, 0, 1, TOL - 1])('accepts a timestamp %i s from now, inside tolerance', (offset) => {
      const now = nowSec();
      expect(verifyAt(now + offset, now)).toEqual({ ok: true });
    });

    it.each([-3600, -TOL - 1, -TOL, -TOL + 1, TOL - 1, TOL, TOL + 1, 3600])(
      'agrees with the library on a timestamp %i s from now',
      (offset) => {
        const now = nowSec();
        const headers = sign(SIMPLE_BODY, now + offset);
        const ours = signer.verify({ body: SIMPLE_BODY, headers: asReceived(headers), secret: SECRET, now }).ok;
        expect(ours).toBe(libAcceptsOurs(SIMPLE_BODY.toString(), headers, SECRET, now));
      },
    );

    it('defaults now to the clock', () => {
      const headers = asReceived(sign(SIMPLE_BODY, nowSec()));
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: SECRET })).toEqual({ ok: true });
      const stale = asReceived(sign(SIMPLE_BODY, nowSec() - TOL - 60));
      expect(signer.verify({ body: SIMPLE_BODY, headers: stale, secret: SECRET }).ok).toBe(false);
    });
  });
});

describe('svix and standard-webhooks header names do not mix', () => {
  it('the default signer does not read svix-* headers', () => {
    const ts = nowSec();
    const svixHeaders = asReceived(createSigner(SVIX_SCHEME).sign({ body: SIMPLE_BODY, secret: SECRET, timestamp: ts, id: MSG_ID }));
    expect(createSigner(provider.scheme).verify({ body: SIMPLE_BODY, headers: svixHeaders, secret: SECRET, now: ts }).ok).toBe(
      false,
    );
  });
});
