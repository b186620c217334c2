import { createHmac } from 'node:crypto';
import { safeEqual } from './compare.js';
import { headerValue, type HmacAlgorithm, type Signer } from './types.js';

export interface HmacOptions {
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  header: string;
  prefix?: string;
}

/** HMAC of the raw body in one header: GitHub, Shopify, Paystack and most in-house schemes. */
export function hmacSigner({ algorithm, encoding, header, prefix = '' }: HmacOptions): Signer {
  const digest = (secret: string, body: Uint8Array) =>
    prefix + createHmac(algorithm, secret).update(body).digest(encoding);
  return {
    headerNames: [header],
    toleranceSec: undefined,
    sign: ({ body, secret }) => ({ [header]: digest(secret, body) }),
    verify: ({ body, headers, secret }) => {
      const received = headerValue(headers, header);
      if (!received) return { ok: false, reason: `missing ${header} header` };
      const expected = digest(secret, body);
      // hex digests are case-insensitive; base64 is not.
      const normalise = (s: string) => (encoding === 'hex' ? s.trim().toLowerCase() : s.trim());
      return safeEqual(normalise(received), normalise(expected))
        ? { ok: true }
        : { ok: false, reason: `${header} does not match the body` };
    },
  };
}
