import type { ProviderSpec } from '../types.js';

const hourlyFor72h = { delay: '1h', count: 72 };

export const paystack: ProviderSpec = {
  name: 'paystack',
  title: 'Paystack',
  docs: 'https://paystack.com/docs/payments/webhooks',
  scheme: { type: 'hmac', algorithm: 'sha512', encoding: 'hex', header: 'x-paystack-signature' },
  envelope: {
    template: { event: '{{event}}', data: '{{data}}' },
    typeFrom: { path: 'event' },
    idFrom: { path: 'data.id' },
    idTemplate: '{{digits}}',
  },
  timeoutMs: 30_000,
  retries: [{ delay: '3m', count: 3 }, hourlyFor72h],
  retryModes: { test: [hourlyFor72h] },
  events: [
    { name: 'charge.success', description: 'A payment was completed' },
    { name: 'transfer.success', description: 'A transfer was completed' },
    { name: 'transfer.failed', description: 'A transfer failed' },
    { name: 'transfer.reversed', description: 'A transfer was reversed' },
    { name: 'refund.processed', description: 'A refund was processed' },
    { name: 'subscription.create', description: 'A subscription was created' },
    { name: 'subscription.disable', description: 'A subscription was disabled' },
    { name: 'invoice.create', description: 'An invoice was created for a subscription' },
    { name: 'invoice.payment_failed', description: 'An invoice payment failed' },
  ],
  notes: [
    'The signing key is your secret key; x-paystack-signature is HMAC-SHA512 hex of the raw body.',
    'Paystack documents no timeout: whcli assumes 30 s, as for Lahza, whose doc follows Paystack\'s (assumed, not from Paystack\'s docs).',
    'Live mode retries every 3 minutes for the first 4 attempts, then hourly for 72 hours; test mode hourly (--retry-mode test).',
  ],
};
