/**
 * The in-house providers documented in shared/seeds/*.txt. Each provider's verification code is
 * rewritten from its doc below and run against what our signer produces from the catalogue spec.
 */
import crypto, { timingSafeEqual } from 'node:crypto';
import { hackmamba } from '../../../src/providers/catalogue/hackmamba.js';
import { laabam } from '../../../src/providers/catalogue/laabam.js';
import { lahza } from '../../../src/providers/catalogue/lahza.js';
import { lava } from '../../../src/providers/catalogue/lava.js';
import { lehjah } from '../../../src/providers/catalogue/lehjah.js';
import type { HeaderBag } from '../../../src/signing/index.js';
import { hmacProviderSuite } from './hmac-harness.js';

const one = (headers: HeaderBag, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

// ---- hackmamba-webhooks.txt --------------------------------------------------------------------
// const signature = req.headers["x-hackmamba-signature"];
// function verifyWebhookSignature(payload, signature, secret) {
//   const expectedSignature = crypto.createHmac("sha256", secret).update(payload).digest("hex");
//   return signature === `sha256=${expectedSignature}`;
// }
function hackmambaVerifyWebhookSignature(payload: Buffer, signature: string | undefined, secret: string): boolean {
  const expectedSignature = crypto.createHmac('sha256', secret).update(payload).digest('hex');
  return signature === `sha256=${expectedSignature}`;
}

hmacProviderSuite({
  provider: hackmamba,
  docHeader: 'x-hackmamba-signature',
  expectedScheme: { algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
  secret: 'your-webhook-secret',
  providerVerify: (secret, body, headers) =>
    hackmambaVerifyWebhookSignature(body, one(headers, 'x-hackmamba-signature'), secret),
  providerSign: (secret, body) => `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`,
  acceptsBinary: true,
});

// ---- lahza-webhooks.txt --------------------------------------------------------------------------
// const hash = crypto.createHmac('sha256', secret).update(req.body).digest('hex');
// if (hash === req.headers['x-lahza-signature']) { ... }
// (The doc's app uses express.json(), whose parsed req.body createHmac cannot take; the code only
// works with the raw body, which is what it is given here.)
function lahzaIsValid(secret: string, body: Buffer, headers: HeaderBag): boolean {
  const hash = crypto.createHmac('sha256', secret).update(body).digest('hex');
  return hash === headers['x-lahza-signature'];
}

hmacProviderSuite({
  provider: lahza,
  docHeader: 'x-lahza-signature',
  expectedScheme: { algorithm: 'sha256', encoding: 'hex' },
  secret: 'sk_test_lahza_0123456789',
  providerVerify: lahzaIsValid,
  providerSign: (secret, body) => crypto.createHmac('sha256', secret).update(body).digest('hex'),
  acceptsBinary: true,
});

// ---- lava-webhooks.txt ---------------------------------------------------------------------------
// const body = await req.text();
// const signature = req.headers.get('X-Webhook-Signature');
// if (!signature || !verifySignature(body, signature)) { return 401 }
// function verifySignature(body: string, signature: string): boolean {
//   const expected = crypto.createHmac('sha256', process.env.LAVA_WEBHOOK_SECRET!).update(body).digest('hex');
//   const sigBuf = Buffer.from(signature, 'hex');
//   const expBuf = Buffer.from(expected, 'hex');
//   return sigBuf.length === expBuf.length && timingSafeEqual(sigBuf, expBuf);
// }
function lavaVerifySignature(body: string, signature: string, LAVA_WEBHOOK_SECRET: string): boolean {
  const expected = crypto.createHmac('sha256', LAVA_WEBHOOK_SECRET).update(body).digest('hex');
  const sigBuf = Buffer.from(signature, 'hex');
  const expBuf = Buffer.from(expected, 'hex');
  return sigBuf.length === expBuf.length && timingSafeEqual(sigBuf, expBuf);
}
function lavaRoute(secret: string, rawBody: Buffer, headers: HeaderBag): boolean {
  const body = rawBody.toString('utf8'); // req.text()
  const signature = one(headers, 'x-webhook-signature'); // Headers.get is case-insensitive
  return !!signature && lavaVerifySignature(body, signature, secret);
}

hmacProviderSuite({
  provider: lava,
  docHeader: 'X-Webhook-Signature',
  expectedScheme: { algorithm: 'sha256', encoding: 'hex' },
  secret: 'lava_whsec_0123456789abcdef',
  providerVerify: lavaRoute,
  providerSign: (secret, body) => crypto.createHmac('sha256', secret).update(body.toString('utf8')).digest('hex'),
  acceptsBinary: false,
  binaryNote: "Lava's handler reads the body with req.text(), so it only ever sees text",
});

// ---- laabam-webhooks.txt / lehjah-webhooks.txt -----------------------------------------------------
// Laabam's doc calls verifySignature(signature, req.body) on the x-laabam-signature header without
// defining it; Lehjah's doc names no header or scheme. The catalogue notes settle both as
// "lower-case hex HMAC-SHA256 of the raw body", which is what is written here.
function lowerHexHmacSha256(secret: string, rawBody: Buffer): string {
  return crypto.createHmac('sha256', secret).update(rawBody).digest('hex').toLowerCase();
}
const noteVerifier = (header: string) => (secret: string, rawBody: Buffer, headers: HeaderBag) => {
  const signature = one(headers, header);
  return typeof signature === 'string' && /^[0-9a-f]{64}$/.test(signature) && signature === lowerHexHmacSha256(secret, rawBody);
};

hmacProviderSuite({
  provider: laabam,
  docHeader: 'x-laabam-signature',
  expectedScheme: { algorithm: 'sha256', encoding: 'hex' },
  secret: 'laabam_secret_0123456789',
  providerVerify: noteVerifier('x-laabam-signature'),
  providerSign: lowerHexHmacSha256,
  acceptsBinary: true,
});

hmacProviderSuite({
  provider: lehjah,
  docHeader: 'x-lehjah-signature',
  expectedScheme: { algorithm: 'sha256', encoding: 'hex' },
  secret: 'lehjah_secret_0123456789',
  providerVerify: noteVerifier('x-lehjah-signature'),
  providerSign: lowerHexHmacSha256,
  acceptsBinary: true,
});
