import type { ProviderSpec } from '../types.js';

const hourlyFor72h = { delay: '1h', count: 72 };

export const lahza: ProviderSpec = {
  name: 'lahza',
  title: 'Lahza',
  docs: 'shared/seeds/lahza-webhooks.txt',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'x-lahza-signature' },
  envelope: {
    template: { event: '{{event}}', data: '{{data}}' },
    typeFrom: { path: 'event' },
    idFrom: { path: 'data.id' },
    idTemplate: '{{digits}}',
  },
  timeoutMs: 30_000,
  // Live mode: every 3 minutes for the first 4 attempts, then hourly for 72 hours.
  retries: [{ delay: '3m', count: 3 }, hourlyFor72h],
  retryModes: { test: [hourlyFor72h] },
  events: [
    { name: 'charge.success', description: 'A payment was completed' },
    { name: 'charge.failed', description: 'A payment attempt failed' },
    { name: 'transfer.success', description: 'A transfer (payout) was completed' },
    { name: 'transfer.failed', description: 'A transfer failed' },
    { name: 'transfer.reversed', description: 'A transfer was reversed' },
    { name: 'refund.pending', description: 'A refund was initiated' },
    { name: 'refund.processed', description: 'A refund was processed' },
    { name: 'refund.failed', description: 'A refund failed' },
  ],
  notes: [
    'The doc lists no event types: whcli ships a payment-gateway set in the style Lahza\'s API follows (charge, transfer, refund). Add or rename events with a "lahza" provider in whcli.config.json.',
    'The doc states no timeout: whcli assumes 30 s.',
    'Retry schedule from the doc: live mode every 3 minutes for the first 4 attempts, then hourly for 72 hours; test mode hourly for 72 hours (--retry-mode test).',
  ],
};
