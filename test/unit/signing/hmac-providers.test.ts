/**
 * Single-header HMAC providers with public docs: GitHub (checked with @octokit/webhooks-methods),
 * Shopify and Paystack (their documented verification code, written out below).
 */
import crypto from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { github } from '../../../src/providers/catalogue/github.js';
import { paystack } from '../../../src/providers/catalogue/paystack.js';
import { shopify } from '../../../src/providers/catalogue/shopify.js';
import type { HeaderBag } from '../../../src/signing/index.js';
import { hmacProviderSuite } from './hmac-harness.js';

const one = (headers: HeaderBag, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

// GitHub: the official @octokit/webhooks-methods. It takes the payload as a string only.
hmacProviderSuite({
  provider: github,
  docHeader: 'X-Hub-Signature-256',
  alsoHeaders: ['X-Hub-Signature'],
  expectedScheme: { algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
  secret: "It's a Secret to Everybody",
  providerVerify: async (secret, body, headers) => {
    const signature = one(headers, 'x-hub-signature-256');
    if (!signature) return false;
    return octokitVerify(secret, body.toString('utf8'), signature);
  },
  providerSign: (secret, body) => octokitSign(secret, body.toString('utf8')),
  acceptsBinary: false,
  binaryNote: '@octokit/webhooks-methods verify() takes a string payload only',
});

// Shopify (https://shopify.dev/docs/apps/build/webhooks): base64 HMAC-SHA256 of the raw body,
// keyed with the app's client secret, compared in constant time with X-Shopify-Hmac-Sha256:
//   const hmacHeader = req.get('X-Shopify-Hmac-Sha256');
//   const generatedHash = crypto.createHmac('sha256', CLIENT_SECRET).update(rawBody).digest('base64');
//   crypto.timingSafeEqual(Buffer.from(generatedHash), Buffer.from(hmacHeader))
function shopifyGeneratedHash(secret: string, rawBody: Buffer): string {
  return crypto.createHmac('sha256', secret).update(rawBody).digest('base64');
}
function shopifyVerify(secret: string, rawBody: Buffer, headers: HeaderBag): boolean {
  const hmacHeader = one(headers, 'x-shopify-hmac-sha256');
  if (!hmacHeader) return false;
  const generatedHash = shopifyGeneratedHash(secret, rawBody);
  const a = Buffer.from(generatedHash, 'utf8');
  const b = Buffer.from(hmacHeader, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

hmacProviderSuite({
  provider: shopify,
  docHeader: 'X-Shopify-Hmac-Sha256',
  expectedScheme: { algorithm: 'sha256', encoding: 'base64' },
  secret: 'shpss_0123456789abcdef0123456789abcdef',
  providerVerify: shopifyVerify,
  providerSign: shopifyGeneratedHash,
  acceptsBinary: true,
});

// Paystack (https://paystack.com/docs/payments/webhooks/#verify-event-origin):
//   const hash = crypto.createHmac('sha512', secret).update(<body>).digest('hex');
//   if (hash == req.headers['x-paystack-signature']) { ... }
// Paystack's sample feeds JSON.stringify(req.body), which only matches when Paystack's own
// serialization is byte-identical; the raw body is what is signed, so the raw body is used here.
function paystackHash(secret: string, rawBody: Buffer): string {
  return crypto.createHmac('sha512', secret).update(rawBody).digest('hex');
}
function paystackVerify(secret: string, rawBody: Buffer, headers: HeaderBag): boolean {
  const hash = paystackHash(secret, rawBody);
  return hash == one(headers, 'x-paystack-signature');
}

hmacProviderSuite({
  provider: paystack,
  docHeader: 'x-paystack-signature',
  expectedScheme: { algorithm: 'sha512', encoding: 'hex' },
  secret: 'sk_test_0123456789abcdef0123456789abcdef01234567',
  providerVerify: paystackVerify,
  providerSign: paystackHash,
  acceptsBinary: true,
});
