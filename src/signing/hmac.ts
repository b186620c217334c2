import { createHmac } from 'node:crypto';
import { safeEqual } from './compare.js';
import { headerValue, type HmacHeaderSpec, type Signer } from './types.js';

export interface HmacOptions extends HmacHeaderSpec {
  /** Further headers carrying other HMACs of the same body; written on sign, not needed to verify. */
  also?: readonly HmacHeaderSpec[];
}

const hmacDigest = ({ algorithm, encoding, prefix = '' }: HmacHeaderSpec, secret: string, body: Uint8Array) =>
  prefix + createHmac(algorithm, secret).update(body).digest(encoding);

/** HMAC of the raw body in one header (and optionally more): GitHub, Shopify, Paystack and most in-house schemes. */
export function hmacSigner(options: HmacOptions): Signer {
  const { encoding, header, also = [] } = options;
  const digest = (secret: string, body: Uint8Array) => hmacDigest(options, secret, body);
  return {
    headerNames: [header, ...also.map((extra) => extra.header)],
    toleranceSec: undefined,
    sign: ({ body, secret }) => ({
      [header]: digest(secret, body),
      ...Object.fromEntries(also.map((extra) => [extra.header, hmacDigest(extra, secret, body)])),
    }),
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
