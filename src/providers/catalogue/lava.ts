import type { ProviderSpec } from '../types.js';

export const lava: ProviderSpec = {
  name: 'lava',
  title: 'Lava',
  docs: 'shared/seeds/lava-webhooks.txt',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Webhook-Signature' },
  envelope: {
    template: { event: '{{event}}', data: '{{data}}' },
    typeFrom: { path: 'event' },
    idFrom: { path: 'data.customer_id' },
    // Lava's envelope has no event id; its doc keys idempotency on customer_id, so that is the id.
    idTemplate: 'con_test_{{RAND}}{{RAND}}',
  },
  timeoutMs: 10_000,
  retries: [],
  events: [
    { name: 'customer.created', description: 'A customer was created' },
    { name: 'customer.wallet.balance.updated', description: "A customer's wallet balance changed" },
    { name: 'customer.deleted', description: 'A customer was deleted' },
  ],
  notes: [
    'Delivered once, with a 10 s timeout: there are no retries, so --retries sends a single attempt.',
    'The doc advises idempotency on customer_id, which whcli reads as the event id.',
  ],
};
