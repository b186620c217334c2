import type { ProviderSpec } from '../types.js';

export const flutterwave: ProviderSpec = {
  name: 'flutterwave',
  title: 'Flutterwave',
  docs: 'https://developer.flutterwave.com/docs/webhooks',
  scheme: { type: 'token', header: 'verif-hash' },
  envelope: {
    template: { event: '{{event}}', data: '{{data}}' },
    typeFrom: { path: 'event' },
    idFrom: { path: 'data.id' },
    idTemplate: '{{digits}}',
  },
  headers: { 'User-Agent': 'Flutterwave-Webhooks' },
  timeoutMs: 60_000,
  // With retries turned on in the dashboard: 3 more attempts, 30 minutes apart.
  retries: [{ delay: '30m', count: 3 }],
  events: [
    { name: 'charge.completed', description: 'A payment was completed (successful or failed: check data.status)' },
    { name: 'transfer.completed', description: 'A transfer (payout) finished' },
    { name: 'subscription.cancelled', description: 'A payment-plan subscription was cancelled' },
    { name: 'refund.completed', description: 'A refund was completed' },
    { name: 'payment_plan.created', description: 'A payment plan was created (assumption: name as the dashboard shows it)' },
  ],
  notes: [
    'v3 webhooks carry the dashboard\'s "secret hash" as is in the verif-hash header; nothing is signed. The newer flutterwave-signature HMAC header is not sent.',
    'Retries only when enabled in the dashboard: 3 times, 30 minutes apart (doc). The doc states no timeout: whcli assumes 60 s.',
    'payment_plan.created is whcli\'s assumption; the others are event names from the doc.',
  ],
};
