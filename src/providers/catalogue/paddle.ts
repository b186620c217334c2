import type { ProviderSpec } from '../types.js';

export const paddle: ProviderSpec = {
  name: 'paddle',
  title: 'Paddle Billing',
  docs: 'https://developer.paddle.com/webhooks/signature-verification',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    payload: '{timestamp}:{body}',
    header: 'Paddle-Signature',
    value: 'ts={timestamp};h1={signature}',
    toleranceSec: 5,
  },
  envelope: {
    template: {
      event_id: '{{event_id}}',
      event_type: '{{event}}',
      occurred_at: '{{iso}}',
      notification_id: 'ntf_{{rand}}',
      data: '{{data}}',
    },
    typeFrom: { path: 'event_type' },
    idFrom: { path: 'event_id' },
    idTemplate: 'evt_{{rand}}',
  },
  headers: { 'User-Agent': 'Paddle' },
  timeoutMs: 5_000,
  // Live: 60 retries over 3 days, backing off; sandbox: 3 within 15 minutes.
  retries: [
    { delay: '1m', count: 5 },
    { delay: '10m', count: 5 },
    { delay: '30m', count: 10 },
    { delay: '1h', count: 40 },
  ],
  retryModes: { sandbox: [{ delay: '5m', count: 3 }] },
  events: [
    { name: 'transaction.completed', description: 'A transaction was completed' },
    { name: 'transaction.paid', description: 'A transaction was paid' },
    { name: 'transaction.payment_failed', description: 'A payment attempt failed' },
    { name: 'subscription.created', description: 'A subscription was created' },
    { name: 'subscription.updated', description: 'A subscription changed' },
    { name: 'subscription.canceled', description: 'A subscription was canceled' },
    { name: 'customer.created', description: 'A customer was created' },
    { name: 'adjustment.created', description: 'A refund or credit was created' },
  ],
  notes: [
    'Paddle-Signature: ts=<unix>;h1=<hex HMAC-SHA256 of "ts:body"> with the destination\'s secret key (pdl_ntfset_...) as written.',
    'Paddle\'s SDKs allow 5 seconds between the signature and its check; whcli uses the same tolerance.',
    'Timeout 5 s. Live mode retries 60 times over 3 days, sandbox 3 times within 15 minutes (--retry-mode sandbox); the spacing here approximates the doc.',
  ],
};
