import type { ProviderSpec } from '../types.js';

export const stripe: ProviderSpec = {
  name: 'stripe',
  title: 'Stripe',
  docs: 'https://docs.stripe.com/webhooks',
  scheme: { type: 'stripe', toleranceSec: 300 },
  envelope: {
    template: {
      id: '{{event_id}}',
      object: 'event',
      api_version: '2024-06-20',
      created: '{{timestamp}}',
      data: { object: '{{data}}' },
      livemode: false,
      pending_webhooks: 1,
      request: { id: 'req_{{rand}}', idempotency_key: '{{uuid}}' },
      type: '{{event}}',
    },
    typeFrom: { path: 'type' },
    idFrom: { path: 'id' },
    idTemplate: 'evt_{{rand}}',
  },
  headers: { 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
  timeoutMs: 20_000,
  // Stripe retries with exponential backoff for up to three days in live mode.
  retries: [
    { delay: '1h', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '4h', count: 1 },
    { delay: '8h', count: 1 },
    { delay: '16h', count: 1 },
    { delay: '24h', count: 2 },
  ],
  events: [
    { name: 'payment_intent.succeeded', description: 'A PaymentIntent succeeded' },
    { name: 'payment_intent.payment_failed', description: 'A PaymentIntent failed' },
    { name: 'charge.succeeded', description: 'A charge succeeded' },
    { name: 'charge.refunded', description: 'A charge was refunded' },
    { name: 'checkout.session.completed', description: 'A Checkout Session completed' },
    { name: 'customer.created', description: 'A customer was created' },
    { name: 'customer.subscription.created', description: 'A subscription was created' },
    { name: 'customer.subscription.updated', description: 'A subscription changed' },
    { name: 'customer.subscription.deleted', description: 'A subscription ended' },
    { name: 'invoice.paid', description: 'An invoice was paid' },
    { name: 'invoice.payment_failed', description: 'An invoice payment failed' },
  ],
  notes: [
    'The whsec_ secret is the HMAC key as written (not base64-decoded).',
    'Live-mode retries follow exponential backoff over about three days; the schedule here approximates it.',
    'The fixture is the data.object; --set paths start at the envelope (e.g. data.object.amount=100).',
  ],
};
