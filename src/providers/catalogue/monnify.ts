import type { ProviderSpec } from '../types.js';

export const monnify: ProviderSpec = {
  name: 'monnify',
  title: 'Monnify',
  docs: 'https://developers.monnify.com/docs/integration-tools/webhooks/',
  scheme: { type: 'hmac', algorithm: 'sha512', encoding: 'hex', header: 'monnify-signature' },
  envelope: {
    template: { eventType: '{{event}}', eventData: '{{data}}' },
    typeFrom: { path: 'eventType' },
    idFrom: { path: 'eventData.transactionReference' },
    idTemplate: 'MNFY|{{digits}}',
  },
  headers: { 'User-Agent': 'Monnify-Webhook' },
  timeoutMs: 30_000,
  retries: [
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '2h', count: 1 },
  ],
  events: [
    { name: 'SUCCESSFUL_TRANSACTION', description: 'A collection (card, transfer, USSD) succeeded' },
    { name: 'SUCCESSFUL_DISBURSEMENT', description: 'A disbursement succeeded' },
    { name: 'FAILED_DISBURSEMENT', description: 'A disbursement failed' },
    { name: 'REVERSED_DISBURSEMENT', description: 'A disbursement was reversed' },
    { name: 'SUCCESSFUL_REFUND', description: 'A refund succeeded' },
    { name: 'SETTLEMENT', description: 'Collections were settled to the merchant' },
  ],
  notes: [
    'monnify-signature is hex HMAC-SHA512 of the raw body keyed with the client secret key.',
    'The doc asks handlers to answer 200 before heavy work and to deduplicate, but publishes neither timeout nor retry schedule: whcli assumes 30 s and 5m, 30m, 2h.',
  ],
};
