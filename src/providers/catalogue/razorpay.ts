import type { ProviderSpec } from '../types.js';

export const razorpay: ProviderSpec = {
  name: 'razorpay',
  title: 'Razorpay',
  docs: 'https://razorpay.com/docs/webhooks/validate-test/',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Razorpay-Signature' },
  envelope: {
    template: {
      entity: 'event',
      account_id: 'acc_BFQ7uQEaa7j2z7',
      event: '{{event}}',
      contains: ['{{event.base}}'],
      payload: '{{data}}',
      created_at: '{{timestamp}}',
    },
    typeFrom: { path: 'event' },
    idFrom: { header: 'x-razorpay-event-id' },
    idTemplate: '{{rand}}',
  },
  headers: { 'User-Agent': 'Razorpay-Webhook/v1', 'x-razorpay-event-id': '{{event_id}}' },
  timeoutMs: 5_000,
  // Exponential backoff for 24 hours.
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '6h', count: 1 },
    { delay: '15h', count: 1 },
  ],
  events: [
    { name: 'payment.authorized', description: 'A payment was authorized' },
    { name: 'payment.captured', description: 'A payment was captured' },
    { name: 'payment.failed', description: 'A payment failed' },
    { name: 'order.paid', description: 'An order was paid' },
    { name: 'refund.processed', description: 'A refund was processed' },
    { name: 'subscription.charged', description: 'A subscription was charged' },
    { name: 'payment_link.paid', description: 'A payment link was paid' },
  ],
  notes: [
    'X-Razorpay-Signature is hex HMAC-SHA256 (webhook secret) of the raw body; x-razorpay-event-id identifies the event for deduplication.',
    'Timeout 5 s; failed deliveries are retried with exponential backoff for 24 hours (spacing approximated).',
    '"contains" lists the event\'s first part (payment, order, refund, ...) as Razorpay\'s samples do for single-entity events.',
  ],
};
