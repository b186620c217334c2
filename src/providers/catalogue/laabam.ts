import type { ProviderSpec } from '../types.js';

export const laabam: ProviderSpec = {
  name: 'laabam',
  title: 'Laabam',
  docs: 'shared/seeds/laabam-webhooks.txt',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'x-laabam-signature' },
  envelope: {
    template: { type: '{{event}}', data: '{{data}}' },
    typeFrom: { path: 'type' },
    idTemplate: 'evt_{{rand}}',
  },
  timeoutMs: 30_000,
  retries: [{ delay: '1m', count: 1 }, { delay: '5m', count: 1 }, { delay: '30m', count: 1 }, { delay: '2h', count: 1 }],
  events: [
    { name: 'invoice.created', description: 'A new invoice is created' },
    { name: 'invoice.paid', description: 'An invoice payment is received' },
    { name: 'customer.created', description: 'A new customer is added' },
    { name: 'payment.failed', description: 'A payment attempt fails' },
  ],
  notes: [
    'The doc names the x-laabam-signature header but not the scheme: whcli signs with lower-case hex HMAC-SHA256 of the raw body, as its sibling providers do. Override with a "laabam" provider in whcli.config.json.',
    'The doc promises "automatic retries with exponential backoff" without a schedule: whcli assumes 1m, 5m, 30m, 2h and a 30 s timeout.',
    'The envelope carries no event id; handlers should deduplicate on the data ids.',
  ],
};
