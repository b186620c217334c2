import { createHmac, randomBytes } from 'node:crypto';
import { openBody } from './body-fields.js';
import { safeEqual } from './compare.js';
import { fillTemplate } from './payload-template.js';
import { checkTimestamp, type BodySignatureSpec, type Signer } from './types.js';

/**
 * Mailgun-style: a timestamp, a random token and their HMAC written into the body itself (a JSON
 * `signature` object or form fields). The body outside those fields is not signed.
 */
export function bodySignatureSigner(spec: BodySignatureSpec): Signer {
  const toleranceSec = spec.toleranceSec ?? 300;
  const digest = (secret: string, timestamp: string, token: string) =>
    createHmac(spec.algorithm, secret).update(fillTemplate(spec.payload, { timestamp, token })).digest(spec.encoding);
  return {
    headerNames: [],
    toleranceSec,
    sign: () => ({}),
    signBody: ({ body, secret, timestamp }) => {
      const fields = openBody(body);
      const token = randomBytes(25).toString('hex');
      fields.set(spec.fields.timestamp, String(timestamp));
      fields.set(spec.fields.token, token);
      fields.set(spec.fields.signature, digest(secret, String(timestamp), token));
      return fields.bytes();
    },
    verify: ({ body, secret, now = Math.floor(Date.now() / 1000), toleranceSec: tol }) => {
      const fields = openBody(body);
      const [timestamp, token, signature] = [spec.fields.timestamp, spec.fields.token, spec.fields.signature].map((path) => {
        const value = fields.get(path);
        return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
      });
      if (!timestamp || !token || !signature) return { ok: false, reason: `the body has no ${spec.fields.signature}` };
      if (!safeEqual(signature, digest(secret, timestamp, token))) return { ok: false, reason: `${spec.fields.signature} does not match` };
      return checkTimestamp(Number(timestamp), now, tol ?? toleranceSec);
    },
  };
}
