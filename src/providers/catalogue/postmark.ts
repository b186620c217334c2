import type { ProviderSpec } from '../types.js';

export const postmark: ProviderSpec = {
  name: 'postmark',
  title: 'Postmark',
  docs: 'https://postmarkapp.com/developer/webhooks/webhooks-overview',
  scheme: { type: 'basic-auth', username: 'postmark' },
  envelope: {
    template: '{{data}}',
    typeFrom: { path: 'RecordType' },
    idFrom: { path: 'MessageID' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'Postmark' },
  timeoutMs: 30_000,
  // Bounce/inbound retry schedule from the doc: 10 retries over about 10.5 hours.
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '10m', count: 3 },
    { delay: '15m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '1h', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '6h', count: 1 },
  ],
  events: [
    { name: 'Delivery', description: 'A message was delivered' },
    { name: 'Bounce', description: 'A message bounced' },
    { name: 'SpamComplaint', description: 'A recipient marked a message as spam' },
    { name: 'Open', description: 'A recipient opened a message' },
    { name: 'Click', description: 'A recipient clicked a tracked link' },
    { name: 'SubscriptionChange', description: 'A recipient was suppressed or reactivated' },
  ],
  notes: [
    'Postmark signs nothing: protect the URL with HTTP Basic credentials in it (https://user:pass@host/...). whcli sends Authorization: Basic with the secret as "user:password" (or as the password for user "postmark").',
    'The event name is the body\'s RecordType.',
    'Retry schedule from the doc for bounce and inbound webhooks (1m, 5m, 10m x3, 15m, 30m, 1h, 2h, 6h); other webhooks retry less. The timeout is not published: whcli assumes 30 s.',
  ],
};
