import type { ProviderSpec } from '../types.js';

export const sendgrid: ProviderSpec = {
  name: 'sendgrid',
  title: 'Twilio SendGrid (Event Webhook)',
  docs: 'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features',
  scheme: {
    type: 'asymmetric',
    algorithm: 'ecdsa-p256',
    header: 'X-Twilio-Email-Event-Webhook-Signature',
    timestampHeader: 'X-Twilio-Email-Event-Webhook-Timestamp',
    payload: '{timestamp}{body}',
    encoding: 'base64',
    publicKeyFormat: 'spki-base64',
  },
  envelope: {
    // The Event Webhook posts a JSON array of events; whcli sends one event per request.
    template: ['{{data}}'],
    typeFrom: { path: '0.event' },
    idFrom: { path: '0.sg_event_id' },
    idTemplate: '{{rand}}',
  },
  headers: { 'User-Agent': 'SendGrid Event API' },
  timeoutMs: 3_000,
  // "SendGrid will try to POST ... for 24 hours": the spacing is not published; this approximates it.
  retries: [
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '8h', count: 1 },
    { delay: '12h', count: 1 },
  ],
  events: [
    { name: 'processed', description: 'The message was received and is ready to be delivered' },
    { name: 'delivered', description: 'The receiving server accepted the message' },
    { name: 'open', description: 'The recipient opened the message' },
    { name: 'click', description: 'The recipient clicked a link' },
    { name: 'bounce', description: 'The receiving server refused the message' },
    { name: 'dropped', description: 'SendGrid dropped the message' },
    { name: 'deferred', description: 'The receiving server deferred the message' },
    { name: 'spamreport', description: 'The recipient marked the message as spam' },
    { name: 'unsubscribe', description: 'The recipient unsubscribed' },
  ],
  notes: [
    'Signed Event Webhook: ECDSA P-256 with SHA-256 over timestamp + body, base64 DER signature; the handler holds the verification key. whcli signs with its own key pair: give the handler `whcli keys show sendgrid` (base64 SPKI, the form SendGrid shows).',
    'SendGrid batches events into one array; whcli sends a one-event array per request.',
    'SendGrid retries for up to 24 hours without publishing the spacing, and states no timeout: whcli assumes 3 s and the schedule shown (assumption).',
  ],
};
