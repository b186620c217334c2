import type { ProviderSpec } from '../types.js';

export const shopify: ProviderSpec = {
  name: 'shopify',
  title: 'Shopify',
  docs: 'https://shopify.dev/docs/apps/build/webhooks',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'base64', header: 'X-Shopify-Hmac-Sha256' },
  envelope: {
    template: '{{data}}',
    typeFrom: { header: 'x-shopify-topic' },
    idFrom: { header: 'x-shopify-webhook-id' },
    idTemplate: '{{uuid}}',
  },
  headers: {
    'X-Shopify-Topic': '{{event}}',
    'X-Shopify-Webhook-Id': '{{event_id}}',
    'X-Shopify-Event-Id': '{{uuid}}',
    'X-Shopify-Shop-Domain': 'whcli-demo.myshopify.com',
    'X-Shopify-API-Version': '2025-01',
    'X-Shopify-Triggered-At': '{{iso}}',
  },
  timeoutMs: 5_000,
  // Shopify retries 8 times over 4 hours with exponential backoff.
  retries: [
    { delay: '1m', count: 1 },
    { delay: '2m', count: 1 },
    { delay: '4m', count: 1 },
    { delay: '8m', count: 1 },
    { delay: '16m', count: 1 },
    { delay: '32m', count: 1 },
    { delay: '64m', count: 1 },
    { delay: '112m', count: 1 },
  ],
  events: [
    { name: 'orders/create', description: 'An order was created' },
    { name: 'orders/paid', description: 'An order was paid' },
    { name: 'orders/updated', description: 'An order was updated' },
    { name: 'orders/cancelled', description: 'An order was cancelled' },
    { name: 'products/create', description: 'A product was created' },
    { name: 'products/update', description: 'A product was updated' },
    { name: 'customers/create', description: 'A customer was created' },
    { name: 'refunds/create', description: 'A refund was created' },
    { name: 'app/uninstalled', description: 'The app was uninstalled from a shop' },
  ],
  notes: [
    'The topic travels in X-Shopify-Topic; the body is the resource itself.',
    'Shopify expects a response within 5 s and retries 8 times over 4 hours; the schedule here approximates it.',
  ],
};
