import type { ProviderSpec } from '../types.js';

export const adyen: ProviderSpec = {
  name: 'adyen',
  title: 'Adyen (standard webhooks)',
  docs: 'https://docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures',
  scheme: { type: 'adyen' },
  envelope: {
    // The fixture is one NotificationRequestItem; its eventCode is the event name.
    template: { live: 'false', notificationItems: [{ NotificationRequestItem: '{{data}}' }] },
    typeFrom: { path: 'notificationItems.0.NotificationRequestItem.eventCode' },
    idFrom: { path: 'notificationItems.0.NotificationRequestItem.pspReference' },
    idTemplate: '{{RAND}}{{RAND}}',
  },
  headers: { 'User-Agent': 'Adyen HttpClient 1.0' },
  timeoutMs: 10_000,
  // Retries immediately, then 2m, 5m, 10m, 15m, 30m, 1h, 2h, 4h, 8h, then every 8 hours for 30 days.
  retries: [
    { delay: '1s', count: 1 },
    { delay: '2m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '10m', count: 1 },
    { delay: '15m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '1h', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '4h', count: 1 },
    { delay: '8h', count: 88 },
  ],
  events: [
    { name: 'AUTHORISATION', description: 'A payment was authorised (check success)' },
    { name: 'CAPTURE', description: 'A payment was captured' },
    { name: 'CANCELLATION', description: 'An authorisation was cancelled' },
    { name: 'REFUND', description: 'A refund was processed' },
    { name: 'REFUND_FAILED', description: 'A refund failed' },
    { name: 'CHARGEBACK', description: 'A chargeback was raised' },
    { name: 'REPORT_AVAILABLE', description: 'A report is ready to download' },
  ],
  notes: [
    'Each notification item carries additionalData.hmacSignature: base64 HMAC-SHA256, keyed with the hex HMAC key from the Customer Area (decoded), of pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success. The secret is that hex key.',
    'Adyen expects the body "[accepted]" with a 2xx within 10 seconds; retry schedule from the doc (immediately, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 4h, 8h, then every 8 hours up to 30 days).',
    'The event name is the item\'s eventCode, so each fixture is one NotificationRequestItem; Adyen batches up to six items per request.',
  ],
};
