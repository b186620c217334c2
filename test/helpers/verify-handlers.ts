/**
 * Webhook handlers for `whcli verify` tests. Each correct handler verifies with the provider's own
 * code: the official library (stripe, standardwebhooks, @octokit/webhooks-methods) or the snippet
 * from the provider's docs (shared/seeds/*.txt, Shopify/Slack/Paystack docs), adapted only to
 * answer 4xx where a sample answers 200 regardless, and to read the raw body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { verify as githubVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { ReceivedWebhook, Reply, WebhookHandler } from './verify-server.js';
import { handshakeAnswer } from './handshake-answers.js';

/** A secret per provider, shaped as each provider issues them. */
export const SECRETS: Record<string, string> = {
  stripe: 'whsec_test_5f4dcc3b5aa765d61d8327deb882cf99',
  // Standard Webhooks secrets are whsec_ + base64 of the key.
  'standard-webhooks': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  github: 'gh-webhook-s3cret',
  shopify: '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',
  slack: '8f742231b10e8888abcd99yyyzzz85a5',
  paystack: 'sk_test_9a8b7c6d5e4f3a2b1c0d',
  laabam: 'laabam_whsec_123',
  lahza: 'sk_test_lahza_456',
  lava: 'lava_wh_secret_789',
  hackmamba: 'hm_webhook_secret',
  lehjah: 'lehjah_webhook_secret',
};

export type Verifier = (request: ReceivedWebhook, secret: string) => boolean | Promise<boolean>;

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** Stripe.webhooks.constructEvent, as in Stripe's docs. */
export const stripeVerifier = (toleranceSec?: number): Verifier => ({ body, headers }, secret) => {
  try {
    Stripe.webhooks.constructEvent(body, header(headers, 'stripe-signature') ?? '', secret, toleranceSec);
    return true;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) return false;
    throw error;
  }
};

/** standardwebhooks' Webhook#verify. */
const standardWebhooksVerifier: Verifier = ({ body, headers }, secret) => {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

/** @octokit/webhooks-methods verify(secret, payload, signature). */
const githubVerifier: Verifier = async ({ body, headers }, secret) => {
  const signature = header(headers, 'x-hub-signature-256');
  if (!signature) return false;
  return githubVerify(secret, body.toString('utf8'), signature);
};

/** Shopify's docs: base64 HMAC-SHA256 of the raw body, compared with timingSafeEqual. */
const shopifyVerifier: Verifier = ({ body, headers }, secret) => {
  const hmac = header(headers, 'x-shopify-hmac-sha256');
  if (!hmac) return false;
  const genHash = createHmac('sha256', secret).update(body).digest('base64');
  const a = Buffer.from(genHash);
  const b = Buffer.from(hmac);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Slack's "verifying requests" docs: refuse timestamps over 5 minutes old, then v0= HMAC of v0:ts:body. */
const slackVerifier: Verifier = ({ body, headers }, secret) => {
  const timestamp = header(headers, 'x-slack-request-timestamp');
  const slackSignature = header(headers, 'x-slack-signature');
  if (!timestamp || !slackSignature) return false;
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) > 60 * 5) return false;
  const sigBasestring = `v0:${timestamp}:${body.toString('utf8')}`;
  const mySignature = `v0=${createHmac('sha256', secret).update(sigBasestring).digest('hex')}`;
  const a = Buffer.from(mySignature);
  const b = Buffer.from(slackSignature);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Paystack's docs: hash == x-paystack-signature, hash = HMAC-SHA512 hex. */
const paystackVerifier: Verifier = ({ body, headers }, secret) => {
  const hash = createHmac('sha512', secret).update(body).digest('hex');
  return hash === header(headers, 'x-paystack-signature');
};

/** Lahza's docs (seeds/lahza-webhooks.txt): HMAC-SHA256 hex === x-lahza-signature. */
const lahzaVerifier: Verifier = ({ body, headers }, secret) => {
  const hash = createHmac('sha256', secret).update(body).digest('hex');
  return hash === header(headers, 'x-lahza-signature');
};

/** Lava's docs (seeds/lava-webhooks.txt): hex buffers, length check, timingSafeEqual. */
const lavaVerifier: Verifier = ({ body, headers }, secret) => {
  const signature = header(headers, 'x-webhook-signature');
  if (!signature) return false;
  const expected = createHmac('sha256', secret).update(body.toString('utf8')).digest('hex');
  const sigBuf = Buffer.from(signature, 'hex');
  const expBuf = Buffer.from(expected, 'hex');
  return sigBuf.length === expBuf.length && timingSafeEqual(sigBuf, expBuf);
};

/** Hackmamba's docs (seeds/hackmamba-webhooks.txt): signature === `sha256=${hex}`. */
const hackmambaVerifier: Verifier = ({ body, headers }, secret) => {
  const expectedSignature = createHmac('sha256', secret).update(body).digest('hex');
  return header(headers, 'x-hackmamba-signature') === `sha256=${expectedSignature}`;
};

/**
 * Laabam's and Lehjah's docs name no algorithm (seeds/*.txt); this is the scheme whcli documents
 * for them: lower-case hex HMAC-SHA256 of the raw body.
 */
const hexHmacVerifier =
  (name: string): Verifier =>
  ({ body, headers }, secret) => {
    const signature = header(headers, name);
    if (!signature) return false;
    const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'));
    const received = Buffer.from(signature);
    return expected.length === received.length && timingSafeEqual(expected, received);
  };

const VERIFIERS: Record<string, Verifier> = {
  stripe: stripeVerifier(),
  'standard-webhooks': standardWebhooksVerifier,
  github: githubVerifier,
  shopify: shopifyVerifier,
  slack: slackVerifier,
  paystack: paystackVerifier,
  lahza: lahzaVerifier,
  lava: lavaVerifier,
  hackmamba: hackmambaVerifier,
  laabam: hexHmacVerifier('x-laabam-signature'),
  lehjah: hexHmacVerifier('x-lehjah-signature'),
};

const OK: Reply = { status: 200, body: '{"received":true}' };
const REFUSED: Reply = { status: 401, body: 'Invalid signature' };

function verifying(verifier: Verifier, secret: string, accepted: (request: ReceivedWebhook) => Reply | Promise<Reply> = () => OK): WebhookHandler {
  return async (request) => ((await verifier(request, secret)) ? accepted(request) : REFUSED);
}

/** The provider's own verification code, as the correct handlers use it. */
export function verifierFor(provider: string): Verifier {
  const verifier = VERIFIERS[provider];
  if (!verifier) throw new Error(`no verifier for ${provider}`);
  return verifier;
}

/** A correct receiver: verifies with the provider's own code, 401 when it fails, the handshake's answer or 200 otherwise. */
export function correctHandler(provider: string, secret = SECRETS[provider]!): WebhookHandler {
  const verifier = VERIFIERS[provider];
  if (!verifier) throw new Error(`no verifier for ${provider}`);
  return verifying(verifier, secret, (request) => handshakeAnswer(provider, request, secret) ?? OK);
}

/** Skips signature checks altogether: 200 to anything. */
export const acceptsEverything: WebhookHandler = () => OK;

/** Verifies correctly, but takes `delayMs` to answer anything. */
export function slowHandler(provider: string, delayMs: number): WebhookHandler {
  const handler = correctHandler(provider);
  return async (request) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return handler(request);
  };
}

/** Verifies correctly, but answers 500 when it sees an event id a second time. */
export function failsOnRepeat(provider: string, idOf: (request: ReceivedWebhook) => string): WebhookHandler {
  const seen = new Set<string>();
  return verifying(VERIFIERS[provider]!, SECRETS[provider]!, (request) => {
    const id = idOf(request);
    if (seen.has(id)) return { status: 500, body: `duplicate key value violates unique constraint "events_pkey" (${id})` };
    seen.add(id);
    return OK;
  });
}

/** Stripe's constructEvent with tolerance 0, which its docs say skips the timestamp check. */
export const ignoresTimestamps: WebhookHandler = verifying(stripeVerifier(0), SECRETS.stripe!);

/** Answers 500 to any request it cannot verify, instead of 4xx. */
export function crashesOnBadSignature(provider: string): WebhookHandler {
  const verifier = VERIFIERS[provider]!;
  return async (request) => {
    if (await verifier(request, SECRETS[provider]!)) return OK;
    return { status: 500, body: 'TypeError: Cannot read properties of undefined (reading "split")' };
  };
}
