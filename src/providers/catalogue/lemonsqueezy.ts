import type { ProviderSpec } from '../types.js';

export const lemonsqueezy: ProviderSpec = {
  name: 'lemonsqueezy',
  title: 'Lemon Squeezy',
  docs: 'https://docs.lemonsqueezy.com/help/webhooks/signing-requests',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Signature' },
  envelope: {
    template: {
      meta: { test_mode: true, event_name: '{{event}}', webhook_id: '{{event_id}}', custom_data: { user_id: '4242' } },
      data: '{{data}}',
    },
    typeFrom: { path: 'meta.event_name' },
    idFrom: { path: 'meta.webhook_id' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'LemonSqueezy-Hookshot', 'X-Event-Name': '{{event}}' },
  timeoutMs: 10_000,
  // "retried three more times, using an exponential backoff" (5 s, 25 s, 125 s).
  retries: [
    { delay: '5s', count: 1 },
    { delay: '25s', count: 1 },
    { delay: '125s', count: 1 },
  ],
  events: [
    { name: 'order_created', description: 'An order was placed' },
    { name: 'order_refunded', description: 'An order was refunded' },
    { name: 'subscription_created', description: 'A subscription was created' },
    { name: 'subscription_updated', description: 'A subscription changed' },
    { name: 'subscription_cancelled', description: 'A subscription was cancelled' },
    { name: 'subscription_payment_success', description: 'A subscription payment succeeded' },
    { name: 'subscription_payment_failed', description: 'A subscription payment failed' },
    { name: 'license_key_created', description: 'A license key was created' },
  ],
  notes: [
    'X-Signature is hex HMAC-SHA256 (signing secret) of the raw body.',
    'Retries 3 more times with exponential backoff (5 s, 25 s, 125 s); the timeout is not published: whcli assumes 10 s.',
  ],
};
