import type { ProviderSpec, RetryStep } from '../types.js';

/** "retry ... during 8 hours at the following intervals: 10 minutes, 10 minutes, 15 minutes, 30 minutes, 1 hour, 2 hours and 4 hours". */
export const mailgunRetries: RetryStep[] = [
    { delay: '10m', count: 2 },
    { delay: '15m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '1h', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '4h', count: 1 },
  ];

export const mailgun: ProviderSpec = {
  name: 'mailgun',
  title: 'Mailgun (event webhooks)',
  docs: 'https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks',
  scheme: {
    type: 'body-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    fields: { timestamp: 'signature.timestamp', token: 'signature.token', signature: 'signature.signature' },
    payload: '{timestamp}{token}',
  },
  envelope: {
    // The signature object is filled when the request is signed; unsigned, it stays empty.
    template: { signature: { timestamp: '', token: '', signature: '' }, 'event-data': '{{data}}' },
    typeFrom: { path: 'event-data.event' },
    idFrom: { path: 'event-data.id' },
    idTemplate: '{{rand}}',
  },
  headers: { 'User-Agent': 'mailgun/treq-16.12.0' },
  timeoutMs: 10_000,
  retries: mailgunRetries,
  events: [
    { name: 'accepted', description: 'Mailgun accepted the message for delivery' },
    { name: 'delivered', description: 'The recipient server accepted the message' },
    { name: 'failed', description: 'Delivery failed (permanent or temporary)' },
    { name: 'opened', description: 'The recipient opened the message' },
    { name: 'clicked', description: 'The recipient clicked a link' },
    { name: 'unsubscribed', description: 'The recipient unsubscribed' },
    { name: 'complained', description: 'The recipient reported spam' },
  ],
  notes: [
    'The signature travels in the body: "signature": {timestamp, token, signature}, signature = hex HMAC-SHA256 (HTTP webhook signing key) of timestamp + token. The rest of the body is not signed; handlers should also refuse reused tokens.',
    'Retry schedule from the doc (8 hours: 10m, 10m, 15m, 30m, 1h, 2h, 4h); a 406 answer stops retries. The timeout is not published: whcli assumes 10 s.',
  ],
};
