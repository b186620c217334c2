import type { ProviderSpec } from '../types.js';

const account = 'AC00000000000000000000000000000000';

export const twilio: ProviderSpec = {
  name: 'twilio',
  title: 'Twilio (Messaging and Voice webhooks)',
  docs: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha1',
    encoding: 'base64',
    payload: '{url}{params}',
    header: 'X-Twilio-Signature',
  },
  envelope: {
    template: '{{data}}',
    format: 'form',
    // Twilio sends no event type: the status field names it.
    typeFrom: {
      path: 'SmsStatus',
      fallbackPath: 'CallStatus',
      names: { received: 'message.incoming', sent: 'message.status.sent', delivered: 'message.status.delivered', failed: 'message.status.failed', ringing: 'call.incoming', completed: 'call.status.completed' },
    },
    idFrom: { path: 'MessageSid' },
    idTemplate: 'SM{{rand}}',
  },
  headers: { 'User-Agent': 'TwilioProxy/1.1', 'I-Twilio-Idempotency-Token': '{{uuid}}' },
  timeoutMs: 15_000,
  retries: [],
  events: [
    { name: 'message.incoming', description: 'An SMS arrived at a Twilio number' },
    { name: 'message.status.sent', description: 'Status callback: the message was sent' },
    { name: 'message.status.delivered', description: 'Status callback: the message was delivered' },
    { name: 'message.status.failed', description: 'Status callback: the message failed' },
    { name: 'call.incoming', description: 'A call arrived at a Twilio number (TwiML expected back)' },
    { name: 'call.status.completed', description: 'Status callback: the call ended' },
  ],
  notes: [
    `X-Twilio-Signature is base64 HMAC-SHA1 (auth token as key) of the full URL Twilio posted to followed by every form parameter, sorted by name, as name+value. whcli signs the URL it sends to; behind a proxy or tunnel pass --public-url (or "signatureUrl" in the config, WHCLI_PUBLIC_URL) with the URL Twilio would use.`,
    'Twilio names no event types: whcli names them by the webhook (incoming message or call, status callback) and the status they report.',
    'Timeout 15 s (Twilio\'s default for webhooks); no automatic retries unless the URL carries connection overrides (#rc=).',
    `Fixtures use the placeholder account ${account}.`,
  ],
};
