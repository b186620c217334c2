import type { ProviderSpec, RetryStep } from '../types.js';

/** Svix's published schedule (5s, 5m, 30m, 2h, 5h, 10h, 10h), used by every provider that sends through Svix. */
export const svixRetries: RetryStep[] = [
    { delay: '5s', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '5h', count: 1 },
    { delay: '10h', count: 2 },
  ];

/** How a provider that sends through Svix signs and identifies itself: svix-* headers, 5 minutes' tolerance. */
export const svixDelivery: Pick<ProviderSpec, 'scheme' | 'headers' | 'timeoutMs' | 'retries'> = {
  scheme: { type: 'standard-webhooks', idHeader: 'svix-id', timestampHeader: 'svix-timestamp', signatureHeader: 'svix-signature', toleranceSec: 300 },
  headers: { 'User-Agent': 'Svix-Webhooks/1.24.0' },
  timeoutMs: 15_000,
  retries: svixRetries,
};

export const standardWebhooks: ProviderSpec = {
  name: 'standard-webhooks',
  title: 'Standard Webhooks (Svix)',
  docs: 'https://www.standardwebhooks.com',
  scheme: { type: 'standard-webhooks', toleranceSec: 300 },
  envelope: {
    template: { type: '{{event}}', timestamp: '{{iso}}', data: '{{data}}' },
    typeFrom: { path: 'type' },
    idFrom: { header: 'webhook-id' },
    idTemplate: 'msg_{{rand}}',
  },
  timeoutMs: 15_000,
  retries: svixRetries,
  // https://docs.svix.com/receiving/delivery-control: this answer stops retries of the message.
  retrySignals: { stopOn: [{ header: 'webhook-delivery', value: 'abort-message' }] },
  events: [
    { name: 'user.created', description: 'A user was created' },
    { name: 'user.updated', description: 'A user was updated' },
    { name: 'user.deleted', description: 'A user was deleted' },
    { name: 'invoice.paid', description: 'An invoice was paid' },
    { name: 'invoice.payment_failed', description: 'An invoice payment failed' },
    { name: 'subscription.created', description: 'A subscription started' },
    { name: 'subscription.canceled', description: 'A subscription was canceled' },
  ],
  notes: [
    'Secrets look like whsec_<base64>; the base64 part is the key. Several secrets (rotation) give several v1 signatures.',
    'A handler answering with the header webhook-delivery: abort-message stops the retries of that message (Svix delivery control).',
    'Svix sends the same scheme with svix-id/svix-timestamp/svix-signature headers: define a provider with those header names in whcli.config.json.',
  ],
};
