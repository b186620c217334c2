import { createHmac } from 'node:crypto';
import { safeEqual } from './compare.js';
import { checkTimestamp, headerValue, type Signer } from './types.js';

export interface StandardWebhooksOptions {
  idHeader?: string;
  timestampHeader?: string;
  signatureHeader?: string;
  toleranceSec?: number;
}

/** The key is the base64 part of a `whsec_` secret (the prefix is optional). */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

function signature(secret: string, id: string, timestamp: number, body: Uint8Array): string {
  return createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
}

/** Standard Webhooks (and Svix, with `svix-*` header names): `v1,<base64>` over `id.ts.body`. */
export function standardWebhooksSigner({
  idHeader = 'webhook-id',
  timestampHeader = 'webhook-timestamp',
  signatureHeader = 'webhook-signature',
  toleranceSec = 300,
}: StandardWebhooksOptions = {}): Signer {
  return {
    headerNames: [idHeader, timestampHeader, signatureHeader],
    toleranceSec,
    sign: ({ body, secret, timestamp, id, extraSecrets = [] }) => ({
      [idHeader]: id,
      [timestampHeader]: String(timestamp),
      [signatureHeader]: [secret, ...extraSecrets]
        .map((s) => `v1,${signature(s, id, timestamp, body)}`)
        .join(' '),
    }),
    verify: ({ body, headers, secret, now = Math.floor(Date.now() / 1000), toleranceSec: tol }) => {
      const id = headerValue(headers, idHeader);
      const ts = headerValue(headers, timestampHeader);
      const sigs = headerValue(headers, signatureHeader);
      if (!id || !ts || !sigs) return { ok: false, reason: 'missing standard webhook headers' };
      const fresh = checkTimestamp(Number(ts), now, tol ?? toleranceSec);
      if (!fresh.ok) return fresh;
      const expected = signature(secret, id, Number(ts), body);
      const match = sigs
        .split(' ')
        .some((part) => part.startsWith('v1,') && safeEqual(part.slice(3), expected));
      return match ? { ok: true } : { ok: false, reason: 'no v1 signature matches' };
    },
  };
}
