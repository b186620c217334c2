import { createHmac } from 'node:crypto';
import { safeEqual } from './compare.js';
import { checkTimestamp, headerValue, type Signer } from './types.js';

export interface StripeOptions {
  header?: string;
  toleranceSec?: number;
}

/** The secret (`whsec_...`) is the HMAC key as written, not decoded. */
function signature(secret: string, timestamp: number, body: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** Stripe: `Stripe-Signature: t=<ts>,v1=<hex>` over `<ts>.<body>`. */
export function stripeSigner({ header = 'Stripe-Signature', toleranceSec = 300 }: StripeOptions = {}): Signer {
  return {
    headerNames: [header],
    toleranceSec,
    sign: ({ body, secret, timestamp, extraSecrets = [] }) => ({
      [header]: [
        `t=${timestamp}`,
        ...[secret, ...extraSecrets].map((s) => `v1=${signature(s, timestamp, body)}`),
      ].join(','),
    }),
    verify: ({ body, headers, secret, now = Math.floor(Date.now() / 1000), toleranceSec: tol }) => {
      const value = headerValue(headers, header);
      if (!value) return { ok: false, reason: `missing ${header} header` };
      const pairs = value.split(',').map((part) => part.split('=', 2) as [string, string?]);
      const timestamp = Number(pairs.find(([k]) => k === 't')?.[1]);
      const candidates = pairs.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
      if (!Number.isFinite(timestamp) || candidates.length === 0) {
        return { ok: false, reason: `${header} has no t= or v1= part` };
      }
      const expected = signature(secret, timestamp, body);
      if (!candidates.some((c) => safeEqual(c, expected))) {
        return { ok: false, reason: 'no v1 signature matches' };
      }
      return checkTimestamp(timestamp, now, tol ?? toleranceSec);
    },
  };
}
