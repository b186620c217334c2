import type { ProviderSpec } from '../types.js';

export const square: ProviderSpec = {
  name: 'square',
  title: 'Square',
  docs: 'https://developer.squareup.com/docs/webhooks/step3validate',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'base64',
    payload: '{url}{body}',
    header: 'x-square-hmacsha256-signature',
  },
  envelope: {
    template: {
      merchant_id: 'ML8M1AQ1GQG2K',
      type: '{{event}}',
      event_id: '{{event_id}}',
      created_at: '{{iso}}',
      data: '{{data}}',
    },
    typeFrom: { path: 'type' },
    idFrom: { path: 'event_id' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'Square Connect v2', 'Square-Version': '2024-10-17', 'Square-Initial-Delivery-Timestamp': '{{iso}}', 'Square-Retry-Number': '0' },
  timeoutMs: 10_000,
  // Square retries for up to 24 hours with exponential backoff.
  retries: [
    { delay: '1m', count: 1 },
    { delay: '2m', count: 1 },
    { delay: '4m', count: 1 },
    { delay: '8m', count: 1 },
    { delay: '16m', count: 1 },
    { delay: '32m', count: 1 },
    { delay: '1h', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '4h', count: 1 },
    { delay: '8h', count: 2 },
  ],
  events: [
    { name: 'payment.created', description: 'A payment was created' },
    { name: 'payment.updated', description: 'A payment changed (e.g. completed)' },
    { name: 'refund.created', description: 'A refund was created' },
    { name: 'refund.updated', description: 'A refund changed' },
    { name: 'order.created', description: 'An order was created' },
    { name: 'order.updated', description: 'An order changed' },
    { name: 'customer.created', description: 'A customer was created' },
    { name: 'invoice.payment_made', description: 'An invoice was paid' },
  ],
  notes: [
    'x-square-hmacsha256-signature is base64 HMAC-SHA256 (signature key) of the notification URL followed by the raw body. whcli signs the URL it sends to; pass --public-url (config "signatureUrl") for the URL registered with Square.',
    'Square expects a 2xx within 10 seconds and retries for up to 24 hours with exponential backoff; the exact steps here are an approximation.',
  ],
};
