import type { ProviderSpec } from '../types.js';

export const chapa: ProviderSpec = {
  name: 'chapa',
  title: 'Chapa',
  docs: 'https://developer.chapa.co/integrations/webhooks',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'x-chapa-signature' },
  envelope: {
    template: '{{data}}',
    typeFrom: { path: 'event' },
    idFrom: { path: 'reference' },
    idTemplate: 'APG{{RAND}}',
  },
  headers: { 'User-Agent': 'Chapa-Webhook' },
  timeoutMs: 30_000,
  retries: [
    { delay: '10m', count: 1 },
    { delay: '1h', count: 1 },
    { delay: '6h', count: 1 },
  ],
  events: [
    { name: 'charge.success', description: 'A payment succeeded' },
    { name: 'charge.failed', description: 'A payment failed' },
    { name: 'charge.refunded', description: 'A payment was refunded' },
    { name: 'payout.success', description: 'A transfer (payout) succeeded' },
    { name: 'payout.failed', description: 'A transfer failed' },
  ],
  notes: [
    'x-chapa-signature is hex HMAC-SHA256 of the body keyed with the webhook secret hash set in the dashboard; Chapa also sends Chapa-Signature (the HMAC of the secret itself), which whcli leaves out (assumption from the doc\'s example code).',
    'The event names follow the doc\'s examples; the body is flat (the event and the transaction fields side by side).',
    'The doc publishes neither timeout nor retry schedule: whcli assumes 30 s and 10m, 1h, 6h.',
  ],
};
