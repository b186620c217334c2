/**
 * Independent signature checks for every built-in provider, so trigger tests never take our own
 * sign() as the expected value: the official libraries where they exist, otherwise the
 * verification code from the provider's docs (../shared/seeds/*.txt for the seed providers),
 * rewritten here on the raw body.
 */
import crypto, { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';

/** A realistic secret per provider, in the shape each one issues. */
export const SECRETS: Readonly<Record<string, string>> = {
  laabam: 'laabam_secret_0123456789',
  lahza: 'sk_test_lahza_0123456789',
  lava: 'lava_whsec_0123456789abcdef',
  hackmamba: 'your-webhook-secret',
  lehjah: 'lehjah_secret_0123456789',
  // Standard Webhooks: whsec_ + base64 of the key (the spec's own example secret).
  'standard-webhooks': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  // Stripe uses the whsec_ string literally as the HMAC key.
  stripe: 'whsec_test_5f4dcc3b5aa765d61d8327deb882cf99',
  github: "It's a Secret to Everybody",
  shopify: 'shpss_0123456789abcdef0123456789abcdef',
  slack: '8f742231b10e8888abcd99yyyzzz85a5',
  paystack: 'sk_test_0123456789abcdef0123456789abcdef01234567',
};

const one = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const hmac = (algorithm: string, secret: string, body: Buffer | string) => crypto.createHmac(algorithm, secret).update(body);

// ---- seed docs ----------------------------------------------------------------------------------
// hackmamba-webhooks.txt:
//   const expectedSignature = crypto.createHmac("sha256", secret).update(payload).digest("hex");
//   return signature === `sha256=${expectedSignature}`;
function hackmamba(secret: string, payload: Buffer, headers: IncomingHttpHeaders): boolean {
  const signature = one(headers, 'x-hackmamba-signature');
  const expectedSignature = hmac('sha256', secret, payload).digest('hex');
  return signature === `sha256=${expectedSignature}`;
}

// lahza-webhooks.txt:
//   const hash = crypto.createHmac('sha256', secret).update(req.body).digest('hex');
//   if (hash === req.headers['x-lahza-signature']) { ... }
function lahza(secret: string, body: Buffer, headers: IncomingHttpHeaders): boolean {
  const hash = hmac('sha256', secret, body).digest('hex');
  return hash === headers['x-lahza-signature'];
}

// lava-webhooks.txt: body = await req.text(); signature = req.headers.get('X-Webhook-Signature');
//   expected = createHmac('sha256', secret).update(body).digest('hex');
//   sigBuf.length === expBuf.length && timingSafeEqual(sigBuf, expBuf)  (both hex-decoded)
function lava(secret: string, raw: Buffer, headers: IncomingHttpHeaders): boolean {
  const body = raw.toString('utf8');
  const signature = one(headers, 'X-Webhook-Signature');
  if (!signature) return false;
  const expected = hmac('sha256', secret, body).digest('hex');
  const sigBuf = Buffer.from(signature, 'hex');
  const expBuf = Buffer.from(expected, 'hex');
  return sigBuf.length === expBuf.length && timingSafeEqual(sigBuf, expBuf);
}

// laabam-webhooks.txt names x-laabam-signature without a scheme; lehjah names neither. The
// catalogue notes settle both as lower-case hex HMAC-SHA256 of the raw body.
const lowerHex = (header: string) => (secret: string, body: Buffer, headers: IncomingHttpHeaders) => {
  const signature = one(headers, header);
  return typeof signature === 'string' && /^[0-9a-f]{64}$/.test(signature) && signature === hmac('sha256', secret, body).digest('hex');
};

// ---- public docs ----------------------------------------------------------------------------------
// Shopify: createHmac('sha256', CLIENT_SECRET).update(rawBody).digest('base64'), compared in
// constant time with X-Shopify-Hmac-Sha256.
function shopify(secret: string, rawBody: Buffer, headers: IncomingHttpHeaders): boolean {
  const hmacHeader = one(headers, 'X-Shopify-Hmac-Sha256');
  if (!hmacHeader) return false;
  const generated = Buffer.from(hmac('sha256', secret, rawBody).digest('base64'));
  const received = Buffer.from(hmacHeader);
  return generated.length === received.length && crypto.timingSafeEqual(generated, received);
}

// Slack: reject if |now - X-Slack-Request-Timestamp| > 5 min; 'v0=' + hex HMAC-SHA256 of
// 'v0:' + timestamp + ':' + body, compared in constant time with X-Slack-Signature.
function slack(secret: string, body: Buffer, headers: IncomingHttpHeaders): boolean {
  const timestamp = one(headers, 'X-Slack-Request-Timestamp');
  const slackSignature = one(headers, 'X-Slack-Signature');
  if (!timestamp || !slackSignature) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 60 * 5) return false;
  const mine = Buffer.from(`v0=${hmac('sha256', secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), body])).digest('hex')}`);
  const theirs = Buffer.from(slackSignature);
  return mine.length === theirs.length && crypto.timingSafeEqual(mine, theirs);
}

// Paystack: createHmac('sha512', secret).update(body).digest('hex') == x-paystack-signature.
function paystack(secret: string, body: Buffer, headers: IncomingHttpHeaders): boolean {
  return hmac('sha512', secret, body).digest('hex') === one(headers, 'x-paystack-signature');
}

// ---- official libraries ---------------------------------------------------------------------------
function stripe(secret: string, body: Buffer, headers: IncomingHttpHeaders): boolean {
  const header = one(headers, 'stripe-signature');
  if (!header) return false;
  try {
    Stripe.webhooks.constructEvent(body, header, secret);
    return true;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) return false;
    throw error;
  }
}

function standardWebhooks(secret: string, body: Buffer, headers: IncomingHttpHeaders): boolean {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value[0]! : value;
  try {
    new Webhook(secret).verify(body, flat);
    return true;
  } catch {
    return false;
  }
}

async function github(secret: string, body: Buffer, headers: IncomingHttpHeaders): Promise<boolean> {
  const signature = one(headers, 'x-hub-signature-256');
  if (!signature) return false;
  return octokitVerify(secret, body.toString('utf8'), signature);
}

type Oracle = (secret: string, body: Buffer, headers: IncomingHttpHeaders) => boolean | Promise<boolean>;

const ORACLES: Readonly<Record<string, Oracle>> = {
  hackmamba,
  lahza,
  lava,
  laabam: lowerHex('x-laabam-signature'),
  lehjah: lowerHex('x-lehjah-signature'),
  shopify,
  slack,
  paystack,
  stripe,
  'standard-webhooks': standardWebhooks,
  github,
};

/** Whether the provider's own verification accepts this request as received by node:http. */
export async function oracleAccepts(provider: string, secret: string, body: Buffer, headers: IncomingHttpHeaders): Promise<boolean> {
  const oracle = ORACLES[provider];
  if (!oracle) throw new Error(`no oracle for provider ${provider}`);
  return oracle(secret, body, headers);
}

/** The providers the oracles cover: must equal the built-in catalogue. */
export const ORACLE_PROVIDERS = Object.keys(ORACLES);
