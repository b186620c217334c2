import type { ProviderSpec } from '../types.js';

export const coinbaseCommerce: ProviderSpec = {
  name: 'coinbase-commerce',
  title: 'Coinbase Commerce',
  docs: 'https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-security',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-CC-Webhook-Signature' },
  envelope: {
    // The fixture is the event (its "type" is written with a colon: charge:confirmed).
    template: { attempt_number: 1, event: '{{data}}', id: '{{event_id}}', scheduled_for: '{{iso}}' },
    typeFrom: {
      path: 'event.type',
      names: { 'charge:created': 'charge.created', 'charge:pending': 'charge.pending', 'charge:confirmed': 'charge.confirmed', 'charge:failed': 'charge.failed', 'charge:delayed': 'charge.delayed', 'charge:resolved': 'charge.resolved' },
    },
    idFrom: { path: 'id' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'weipay-webhooks' },
  timeoutMs: 10_000,
  retries: [
    { delay: '1m', count: 1 },
    { delay: '10m', count: 1 },
    { delay: '1h', count: 1 },
    { delay: '6h', count: 1 },
    { delay: '24h', count: 2 },
  ],
  events: [
    { name: 'charge.created', description: 'charge:created, a charge was created' },
    { name: 'charge.pending', description: 'charge:pending, a payment was seen on chain' },
    { name: 'charge.confirmed', description: 'charge:confirmed, the payment was confirmed' },
    { name: 'charge.failed', description: 'charge:failed, the charge expired or failed' },
    { name: 'charge.delayed', description: 'charge:delayed, paid after expiry' },
    { name: 'charge.resolved', description: 'charge:resolved, a delayed or unresolved charge was resolved' },
  ],
  notes: [
    'X-CC-Webhook-Signature is hex HMAC-SHA256 (shared secret) of the raw body.',
    'Coinbase writes event types with a colon (charge:confirmed); whcli\'s names use a dot so fixture files can have them as names.',
    'Retries with exponential backoff for up to 3 days (spacing approximated); the timeout is not published: whcli assumes 10 s.',
  ],
};
