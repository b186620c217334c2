/**
 * Independent checks of what whcli sends for the providers beyond the seed set: the provider's
 * official library where one is on npm (twilio, @sendgrid/eventwebhook, discord-interactions,
 * razorpay, @paddle/paddle-node-sdk, @mux/mux-node, @sanity/webhook, @workos-inc/node,
 * coinbase-commerce-node, svix, standardwebhooks), otherwise the verification code from the
 * provider's docs, written out here on the raw bytes. Nothing here calls whcli's own signing code.
 */
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { Paddle } from '@paddle/paddle-node-sdk';
import { isValidSignature as sanityIsValidSignature } from '@sanity/webhook';
import { WorkOS } from '@workos-inc/node';
import Mux from '@mux/mux-node';
import coinbase from 'coinbase-commerce-node';
import { verifyKey as discordVerifyKey } from 'discord-interactions';
import Razorpay from 'razorpay';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';

/** What an oracle is given: the request exactly as the handler received it. */
export interface Delivery {
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** The absolute URL the request was sent to (URL-signing providers sign it). */
  url: string;
  method: string;
}

/** Secret (or public key, for asymmetric providers) -> does the provider's own check accept it? */
export type Oracle = (key: string, delivery: Delivery) => Promise<boolean> | boolean;

/** A realistic secret per provider, in the shape each one issues. */
export const PROVIDER_SECRETS: Readonly<Record<string, string>> = {
  twilio: '12345678901234567890123456789012',
  square: 'Jt3VQcw_dd2Hbf3vTqZxSg',
  hubspot: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
  mailgun: 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0',
  'mailgun-routes': 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0',
  gitlab: 'glwht-4c1f2e8d9b7a6c5d4e3f',
  flutterwave: 'my-flw-secret-hash-4242',
  postmark: 'hooks:correct-horse-battery-staple',
  paddle: 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI',
  zoom: 'WHCLI_zoom_secret_token_abc123',
  twitch: 'twitch-subscription-secret-0123456789',
  calendly: 'calendly_signing_key_0123456789abcdef',
  zendesk: 'dGhpc19pc19hX3plbmRlc2tfc2VjcmV0',
  linear: 'lin_wh_0123456789abcdef0123456789abcdef',
  lemonsqueezy: 'lemon-signing-secret-4242',
  razorpay: 'razorpay_webhook_secret_42',
  'coinbase-commerce': '3ab1c1f4-4a8d-4c4b-9e7f-2f1d0c9b8a76',
  mux: 'b1h0m2cbe2rsb1pqjsqkq1d1qchgm4ft',
  sanity: 'sanity-webhook-secret-0123456789',
  workos: 'wh_sec_0123456789abcdefghijklmnopqr',
  // Adyen's HMAC key is hex (64 bytes), as the Customer Area shows it.
  adyen: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
  clerk: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  resend: 'whsec_plJ3nmyCDGBKInavdOK15jsl',
  yoco: 'whsec_QjcwNDdBNzhFMTRGNDkxNUE1NjFCMjhDODJBMTQxMzI=',
  monnify: '91MUDL9N6U3BQRXBQ2PJ9M0PW4J22M1Y',
  chapa: 'chapa-secret-hash-0123456789',
  'slack-interactivity': '8f742231b10e8888abcd99yyyzzz85a5',
};

const one = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};
const flat = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
const hmac = (algorithm: string, key: crypto.BinaryLike, data: crypto.BinaryLike) => crypto.createHmac(algorithm, key).update(data);
const safe = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
const rejects = async (check: () => unknown): Promise<boolean> => {
  try {
    const out = await check();
    return out !== false;
  } catch {
    return false;
  }
};
const formParams = (body: Buffer) => Object.fromEntries(new URLSearchParams(body.toString('utf8')));

// ---- official libraries --------------------------------------------------------------------------

/** discord-interactions verifyKey(rawBody, signature, timestamp, clientPublicKey): the key is hex. */
const discord: Oracle = (publicKey, d) => discordVerifyKey(d.body, one(d.headers, 'x-signature-ed25519'), one(d.headers, 'x-signature-timestamp'), publicKey);

/** @sendgrid/eventwebhook: the verification key as SendGrid shows it (base64 SPKI). */
const sendgrid: Oracle = (publicKey, d) =>
  rejects(() => {
    const eventWebhook = new EventWebhook();
    const ecPublicKey = eventWebhook.convertPublicKeyToECDSA(publicKey);
    return eventWebhook.verifySignature(ecPublicKey, d.body.toString('utf8'), one(d.headers, 'x-twilio-email-event-webhook-signature'), one(d.headers, 'x-twilio-email-event-webhook-timestamp'));
  });

/** twilio.validateRequest(authToken, signature, url, params) on the form fields. */
const twilioOracle: Oracle = (token, d) => twilio.validateRequest(token, one(d.headers, 'x-twilio-signature'), d.url, formParams(d.body));

const razorpay: Oracle = (secret, d) => rejects(() => Razorpay.validateWebhookSignature(d.body.toString('utf8'), one(d.headers, 'x-razorpay-signature'), secret));

const paddleClient = new Paddle('pdl_sdbx_apikey_01hwhcli000000000000000000_whcliwhcliwhcliwhcliwh_abc');
/** Paddle's SDK checks the signature (and its 5-second window) before parsing the event. */
const paddle: Oracle = (secret, d) => rejects(() => paddleClient.webhooks.unmarshal(d.body.toString('utf8'), secret, one(d.headers, 'paddle-signature')));

const muxClient = new Mux({ tokenId: 'whcli-token-id', tokenSecret: 'whcli-token-secret' });
const mux: Oracle = (secret, d) => rejects(() => muxClient.webhooks.verifySignature(d.body.toString('utf8'), flat(d.headers), secret).then(() => true));

const sanity: Oracle = (secret, d) => rejects(() => sanityIsValidSignature(d.body.toString('utf8'), one(d.headers, 'sanity-webhook-signature'), secret));

const workosClient = new WorkOS('sk_test_whcli');
/** WorkOS's SDK takes the parsed payload and signs JSON.stringify of it: a compact body round-trips. */
const workos: Oracle = (secret, d) =>
  rejects(() => workosClient.webhooks.constructEvent({ payload: JSON.parse(d.body.toString('utf8')) as unknown, sigHeader: one(d.headers, 'workos-signature'), secret }).then(() => true));

const coinbaseCommerce: Oracle = (secret, d) => rejects(() => coinbase.Webhook.verifySigHeader(d.body.toString('utf8'), one(d.headers, 'x-cc-webhook-signature'), secret));

const svix: Oracle = (secret, d) => rejects(() => new SvixWebhook(secret).verify(d.body.toString('utf8'), flat(d.headers)));
const standardWebhooks: Oracle = (secret, d) => rejects(() => new StandardWebhook(secret).verify(d.body.toString('utf8'), flat(d.headers)));

// ---- verification code from the providers' docs --------------------------------------------------

// Square: "concatenate the notification URL and the raw body, HMAC-SHA256 with the signature key, base64".
const square: Oracle = (key, d) => safe(hmac('sha256', key, d.url + d.body.toString('utf8')).digest('base64'), one(d.headers, 'x-square-hmacsha256-signature'));

// HubSpot v3: method + URI + body + timestamp, HMAC-SHA256 (client secret), base64; refuse > 5 minutes.
const hubspot: Oracle = (secret, d) => {
  const timestamp = one(d.headers, 'x-hubspot-request-timestamp');
  if (Date.now() - Number(timestamp) > 5 * 60 * 1000) return false;
  const source = `${d.method}${decodeURI(d.url)}${d.body.toString('utf8')}${timestamp}`;
  return safe(hmac('sha256', secret, source).digest('base64'), one(d.headers, 'x-hubspot-signature-v3'));
};

// Mailgun: hmac sha256 hex of timestamp + token with the webhook signing key, in the body's signature object.
const mailgun: Oracle = (key, d) => {
  const { signature } = JSON.parse(d.body.toString('utf8')) as { signature: { timestamp: string; token: string; signature: string } };
  return safe(hmac('sha256', key, signature.timestamp + signature.token).digest('hex'), signature.signature);
};
const mailgunRoutes: Oracle = (key, d) => {
  const form = formParams(d.body);
  return safe(hmac('sha256', key, (form.timestamp ?? '') + (form.token ?? '')).digest('hex'), form.signature ?? '');
};

// GitLab: compare X-Gitlab-Token with the secret token; Flutterwave: compare verif-hash with the secret hash.
const gitlab: Oracle = (token, d) => safe(one(d.headers, 'x-gitlab-token'), token);
const flutterwave: Oracle = (hash, d) => safe(one(d.headers, 'verif-hash'), hash);

// Postmark: HTTP Basic credentials on the webhook URL.
const postmark: Oracle = (credentials, d) => safe(one(d.headers, 'authorization'), `Basic ${Buffer.from(credentials).toString('base64')}`);

// Zoom: message = `v0:${x-zm-request-timestamp}:${rawBody}`, signature = `v0=${hex hmac sha256}`.
const zoom: Oracle = (secret, d) => {
  const message = `v0:${one(d.headers, 'x-zm-request-timestamp')}:${d.body.toString('utf8')}`;
  return safe(`v0=${hmac('sha256', secret, message).digest('hex')}`, one(d.headers, 'x-zm-signature'));
};

// Twitch: HMAC_PREFIX 'sha256=' + hex hmac of message id + timestamp + raw body.
const twitch: Oracle = (secret, d) => {
  const message = one(d.headers, 'twitch-eventsub-message-id') + one(d.headers, 'twitch-eventsub-message-timestamp') + d.body.toString('utf8');
  const old = Date.now() - Date.parse(one(d.headers, 'twitch-eventsub-message-timestamp')) > 10 * 60 * 1000;
  return !old && safe(`sha256=${hmac('sha256', secret, message).digest('hex')}`, one(d.headers, 'twitch-eventsub-message-signature'));
};

// Calendly: split "t=...,v1=..." on ",", sign `${t}.${body}`, refuse older than 3 minutes.
const calendly: Oracle = (key, d) => {
  const { t, signature } = one(d.headers, 'calendly-webhook-signature')
    .split(',')
    .reduce<{ t?: string; signature?: string }>((acc, part) => {
      const [k, v] = part.split('=');
      if (k === 't') acc.t = v;
      if (k === 'v1') acc.signature = v;
      return acc;
    }, {});
  if (!t || !signature) return false;
  if (Number(t) < Date.now() / 1000 - 3 * 60) return false;
  return safe(hmac('sha256', key, `${t}.${d.body.toString('utf8')}`).digest('hex'), signature);
};

// Zendesk: base64(HMACSHA256(TIMESTAMP + BODY)).
const zendesk: Oracle = (secret, d) =>
  safe(hmac('sha256', secret, one(d.headers, 'x-zendesk-webhook-signature-timestamp') + d.body.toString('utf8')).digest('base64'), one(d.headers, 'x-zendesk-webhook-signature'));

// Linear: hex hmac of the raw body; webhookTimestamp within a minute.
const linear: Oracle = (secret, d) => {
  const { webhookTimestamp } = JSON.parse(d.body.toString('utf8')) as { webhookTimestamp: number };
  if (Math.abs(Date.now() - webhookTimestamp) > 60 * 1000) return false;
  return safe(hmac('sha256', secret, d.body).digest('hex'), one(d.headers, 'linear-signature'));
};

// Lemon Squeezy: digest = hmac sha256 hex of the raw body; timingSafeEqual with X-Signature.
const lemonsqueezy: Oracle = (secret, d) => safe(hmac('sha256', secret, d.body).digest('hex'), one(d.headers, 'x-signature'));

// Adyen: per item, base64 HMAC-SHA256 (hex-decoded key) of the eight fields joined by ":".
const adyen: Oracle = (hexKey, d) => {
  type Item = Record<string, unknown> & { amount?: { value?: number; currency?: string }; additionalData?: { hmacSignature?: string } };
  const { notificationItems } = JSON.parse(d.body.toString('utf8')) as { notificationItems: { NotificationRequestItem: Item }[] };
  return notificationItems.every(({ NotificationRequestItem: item }) => {
    const fields = [item.pspReference, item.originalReference, item.merchantAccountCode, item.merchantReference, item.amount?.value, item.amount?.currency, item.eventCode, item.success];
    const data = fields.map((f) => (f === undefined || f === null ? '' : String(f))).join(':');
    return safe(hmac('sha256', Buffer.from(hexKey, 'hex'), data).digest('base64'), item.additionalData?.hmacSignature ?? '');
  });
};

// Monnify: sha512 hmac hex of the body with the client secret, compared with monnify-signature.
const monnify: Oracle = (secret, d) => safe(hmac('sha512', secret, d.body).digest('hex'), one(d.headers, 'monnify-signature'));

// Chapa: hmac sha256 hex of the body with the secret hash, compared with x-chapa-signature.
const chapa: Oracle = (secret, d) => safe(hmac('sha256', secret, d.body).digest('hex'), one(d.headers, 'x-chapa-signature'));

// Slack (form posts too): `v0=` + hex hmac of `v0:${timestamp}:${rawBody}`.
const slackForm: Oracle = (secret, d) => {
  const base = `v0:${one(d.headers, 'x-slack-request-timestamp')}:${d.body.toString('utf8')}`;
  return safe(`v0=${hmac('sha256', secret, base).digest('hex')}`, one(d.headers, 'x-slack-signature'));
};

export const PROVIDER_ORACLES: Readonly<Record<string, Oracle>> = {
  discord,
  sendgrid,
  twilio: twilioOracle,
  square,
  hubspot,
  mailgun,
  'mailgun-routes': mailgunRoutes,
  gitlab,
  flutterwave,
  postmark,
  paddle,
  zoom,
  twitch,
  calendly,
  zendesk,
  linear,
  lemonsqueezy,
  razorpay,
  'coinbase-commerce': coinbaseCommerce,
  mux,
  sanity,
  workos,
  adyen,
  clerk: svix,
  resend: svix,
  yoco: standardWebhooks,
  monnify,
  chapa,
  'slack-interactivity': slackForm,
};

/** Which check each provider's oracle is: an official library, or its docs' code. */
export const OFFICIAL_LIBRARY: Readonly<Record<string, string>> = {
  discord: 'discord-interactions',
  sendgrid: '@sendgrid/eventwebhook',
  twilio: 'twilio',
  razorpay: 'razorpay',
  paddle: '@paddle/paddle-node-sdk',
  mux: '@mux/mux-node',
  sanity: '@sanity/webhook',
  workos: '@workos-inc/node',
  'coinbase-commerce': 'coinbase-commerce-node',
  clerk: 'svix',
  resend: 'svix',
  yoco: 'standardwebhooks',
};
