/**
 * One table-driven suite for single-header HMAC providers. Each case supplies the provider's own
 * verification (an official library or the code from the provider's docs) and the provider's own
 * way of computing the header value; the suite runs both against our signer built from the
 * provider spec in the catalogue.
 */
import { describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../../../src/providers/types.js';
import { createSigner, type HeaderBag } from '../../../src/signing/index.js';
import {
  SIMPLE_BODY,
  TRICKY_BODIES,
  asReceived,
  flipByte,
  nameSet,
  reserialized,
  tamperLastDigit,
  without,
  type TrickyBody,
} from './support.js';

export interface HmacProviderCase {
  provider: ProviderSpec;
  /** The header the provider's docs read, as the docs spell it. */
  docHeader: string;
  /** Further signature headers the provider sends beside it (GitHub's legacy X-Hub-Signature). */
  alsoHeaders?: string[];
  /** Expected scheme fields, from the provider's docs (or the catalogue notes where the docs are silent). */
  expectedScheme: { algorithm: string; encoding: 'hex' | 'base64'; prefix?: string };
  secret: string;
  /**
   * The provider's verification: gets the raw body the way that code receives it (a string for
   * string-only code, the Buffer otherwise) and the lower-case headers node:http delivers.
   */
  providerVerify: (secret: string, body: Buffer, headers: HeaderBag) => boolean | Promise<boolean>;
  /** The header value the provider computes for a body (library signer, or the doc's "expected" value). */
  providerSign: (secret: string, body: Buffer) => string | Promise<string>;
  /** Whether the provider's code can take raw bytes; string-only code cannot see invalid UTF-8. */
  acceptsBinary: boolean;
  /** Why the provider's code is not given the binary body, when it is not (documentation only). */
  binaryNote?: string;
}

const WRONG_SECRET = 'not-the-secret-0000';

export function hmacProviderSuite(c: HmacProviderCase): void {
  const { provider, secret } = c;
  const signer = createSigner(provider.scheme);
  const headerKey = c.docHeader.toLowerCase();
  const alsoKeys = (c.alsoHeaders ?? []).map((h) => h.toLowerCase());
  const bodies: TrickyBody[] = TRICKY_BODIES.filter((b) => b.utf8 || c.acceptsBinary);
  const cases = bodies.map((b) => [b.name, b] as const);
  const sign = (body: Uint8Array, s = secret) => signer.sign({ body, secret: s, timestamp: 1_700_000_000, id: 'evt_x' });
  const received = (body: Uint8Array, s = secret) => asReceived(sign(body, s));

  describe(`${provider.name}: spec`, () => {
    it('signs the header the provider documents, with the documented HMAC', () => {
      expect(provider.scheme).toMatchObject({ type: 'hmac', ...c.expectedScheme });
      if (provider.scheme.type !== 'hmac') throw new Error('not hmac');
      expect(provider.scheme.header.toLowerCase()).toBe(headerKey);
      expect(provider.scheme.prefix ?? '').toBe(c.expectedScheme.prefix ?? '');
    });

    it('headerNames lists exactly the headers sign() writes', () => {
      expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(sign(SIMPLE_BODY))));
      expect(signer.headerNames.map((h) => h.toLowerCase())).toEqual([headerKey, ...alsoKeys]);
    });

    it('signs no timestamp, so has no tolerance', () => {
      expect(signer.toleranceSec).toBeUndefined();
    });
  });

  describe(`${provider.name}: our sign() checked by the provider's own verification`, () => {
    it.each(cases)('fixture really breaks when mishandled: %s', (_, body) => {
      expect(reserialized(body).equals(body.bytes)).toBe(false);
    });

    it.each(cases)('accepted: %s', async (_, body) => {
      const headers = received(body.bytes);
      expect(headers[headerKey]).toBe(await c.providerSign(secret, body.bytes));
      expect(await c.providerVerify(secret, body.bytes, headers)).toBe(true);
      expect(await c.providerVerify(secret, reserialized(body), headers)).toBe(false);
      expect(await c.providerVerify(WRONG_SECRET, body.bytes, headers)).toBe(false);
    });
  });

  describe(`${provider.name}: our verify() on what the provider computed`, () => {
    const providerHeaders = async (body: Buffer, s = secret): Promise<HeaderBag> => ({
      [headerKey]: await c.providerSign(s, body),
    });

    it.each(cases)('accepts: %s', async (_, body) => {
      const headers = await providerHeaders(body.bytes);
      expect(signer.verify({ body: body.bytes, headers, secret })).toEqual({ ok: true });
      expect(signer.verify({ body: reserialized(body), headers, secret }).ok).toBe(false);
    });

    it('rejects a value the provider computed with another secret', async () => {
      const headers = await providerHeaders(SIMPLE_BODY, WRONG_SECRET);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret }).ok).toBe(false);
    });
  });

  describe(`${provider.name}: our verify() rejects tampering`, () => {
    it('accepts the untouched request (control)', () => {
      expect(signer.verify({ body: SIMPLE_BODY, headers: received(SIMPLE_BODY), secret })).toEqual({ ok: true });
    });

    it.each(TRICKY_BODIES.map((b) => [b.name, b] as const))('rejects a flipped body byte: %s', (_, body) => {
      const headers = received(body.bytes);
      expect(signer.verify({ body: body.bytes, headers, secret })).toEqual({ ok: true });
      expect(signer.verify({ body: flipByte(body.bytes), headers, secret }).ok).toBe(false);
      expect(signer.verify({ body: flipByte(body.bytes, 0), headers, secret }).ok).toBe(false);
    });

    it('rejects a wrong secret', async () => {
      const headers = received(SIMPLE_BODY);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret: WRONG_SECRET }).ok).toBe(false);
      expect(await c.providerVerify(WRONG_SECRET, SIMPLE_BODY, headers)).toBe(false);
    });

    it('rejects a missing header', () => {
      // The other signature headers stay: they alone do not verify.
      const headers = without(received(SIMPLE_BODY), c.docHeader);
      expect(Object.keys(headers)).toEqual(alsoKeys);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret }).ok).toBe(false);
    });

    it('rejects an empty header', () => {
      expect(signer.verify({ body: SIMPLE_BODY, headers: { [headerKey]: '' }, secret }).ok).toBe(false);
    });

    it('rejects a signature for the empty body', () => {
      const headers = received(new Uint8Array(0));
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret }).ok).toBe(false);
    });

    it('rejects a signature differing only in its last digit', async () => {
      const value = received(SIMPLE_BODY)[headerKey] as string;
      const headers = { [headerKey]: tamperLastDigit(value, c.expectedScheme.encoding) };
      expect(headers[headerKey]).not.toBe(value);
      expect(headers[headerKey]!.length).toBe(value.length);
      expect(await c.providerVerify(secret, SIMPLE_BODY, headers)).toBe(false);
      expect(signer.verify({ body: SIMPLE_BODY, headers, secret }).ok).toBe(false);
    });

    it('rejects a truncated signature', () => {
      const headers = received(SIMPLE_BODY);
      const value = headers[headerKey] as string;
      expect(signer.verify({ body: SIMPLE_BODY, headers: { [headerKey]: value.slice(0, -2) }, secret }).ok).toBe(false);
    });

    if (c.expectedScheme.prefix) {
      const prefix = c.expectedScheme.prefix;
      it(`rejects the digest without its "${prefix}" prefix, as the provider's code does`, async () => {
        const value = received(SIMPLE_BODY)[headerKey] as string;
        const bare = { [headerKey]: value.slice(prefix.length) };
        expect(await c.providerVerify(secret, SIMPLE_BODY, bare)).toBe(false);
        expect(signer.verify({ body: SIMPLE_BODY, headers: bare, secret }).ok).toBe(false);
      });
    }

    if (c.expectedScheme.encoding === 'base64') {
      it('treats base64 as case-sensitive, as the provider\'s code does', async () => {
        const value = received(SIMPLE_BODY)[headerKey] as string;
        const swapped = [...value].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join('');
        expect(swapped).not.toBe(value);
        const headers = { [headerKey]: swapped };
        expect(await c.providerVerify(secret, SIMPLE_BODY, headers)).toBe(false);
        expect(signer.verify({ body: SIMPLE_BODY, headers, secret }).ok).toBe(false);
      });
    }
  });
}
