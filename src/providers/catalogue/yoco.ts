import type { ProviderSpec } from '../types.js';
import { svixRetries } from './standard-webhooks.js';

export const yoco: ProviderSpec = {
  name: 'yoco',
  title: 'Yoco (online payments)',
  docs: 'https://developer.yoco.com/guides/online-payments/webhooks/verifying-the-events',
  scheme: { type: 'standard-webhooks', toleranceSec: 180 },
  envelope: {
    template: { createdDate: '{{iso}}', id: '{{event_id}}', payload: '{{data}}', type: '{{event}}' },
    typeFrom: { path: 'type' },
    idFrom: { header: 'webhook-id' },
    idTemplate: 'evt_{{RAND}}{{RAND}}',
  },
  headers: { 'User-Agent': 'Yoco-Webhooks' },
  timeoutMs: 15_000,
  retries: svixRetries,
  events: [
    { name: 'payment.succeeded', description: 'A checkout payment succeeded' },
    { name: 'payment.failed', description: 'A checkout payment failed' },
    { name: 'refund.succeeded', description: 'A refund succeeded' },
    { name: 'refund.failed', description: 'A refund failed' },
  ],
  notes: [
    'Yoco signs as Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>", key = base64 after whsec_. The doc recommends refusing timestamps more than 3 minutes off.',
    'The doc publishes neither timeout nor retry schedule: whcli assumes the Standard Webhooks defaults (15 s; 5s, 5m, 30m, 2h, 5h, 10h, 10h).',
  ],
};
