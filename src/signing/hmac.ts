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
  const { header, also = [] } = options;
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
      // hex digests are case-insensitive; base64 is not.
      const matches = (spec: HmacHeaderSpec, value: string) => {
        const normalise = (s: string) => (spec.encoding === 'hex' ? s.trim().toLowerCase() : s.trim());
        return safeEqual(normalise(value), normalise(hmacDigest(spec, secret, body)));
      };
      if (!matches(options, received)) return { ok: false, reason: `${header} does not match the body` };
      // The further headers are optional, but one that is sent must match too.
      for (const extra of also) {
        const value = headerValue(headers, extra.header);
        if (value !== undefined && !matches(extra, value)) return { ok: false, reason: `${extra.header} does not match the body` };
      }
      return { ok: true };
    },
  };
}
