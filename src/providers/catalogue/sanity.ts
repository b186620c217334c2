import type { ProviderSpec } from '../types.js';

const operation = (name: string) => ({ 'sanity-operation': name });

export const sanity: ProviderSpec = {
  name: 'sanity',
  title: 'Sanity (GROQ-powered webhooks)',
  docs: 'https://www.sanity.io/docs/webhooks',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'base64url',
    payload: '{timestamp}.{body}',
    header: 'sanity-webhook-signature',
    value: 't={timestamp},v1={signature}',
    timestampFormat: 'unix-ms',
    toleranceSec: 300,
  },
  envelope: {
    template: '{{data}}',
    typeFrom: { header: 'sanity-operation' },
    idFrom: { header: 'idempotency-key' },
    idTemplate: 'idem_{{rand}}',
  },
  headers: {
    'User-Agent': 'Sanity.io webhook delivery',
    'idempotency-key': '{{event_id}}',
    'sanity-project-id': 'x7k2m9q4',
    'sanity-dataset': 'production',
    'sanity-document-id': 'post-42',
    'sanity-transaction-id': '{{rand}}',
    'sanity-transaction-time': '{{iso}}',
    'sanity-webhook-id': 'UpHWHCLI1fJ9d2kQ',
  },
  timeoutMs: 30_000,
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
  ],
  events: [
    { name: 'create', description: 'A document matching the filter was created', headers: operation('create') },
    { name: 'update', description: 'A document matching the filter was updated', headers: operation('update') },
    { name: 'delete', description: 'A document matching the filter was deleted', headers: operation('delete') },
  ],
  notes: [
    'sanity-webhook-signature: t=<unix ms>,v1=<base64url HMAC-SHA256 of "t.body"> with the webhook secret (@sanity/webhook checks it).',
    'The body is the webhook\'s GROQ projection of the document; the fixtures use the default projection (the whole document). The event is the sanity-operation header.',
    'Sanity retries failed deliveries with backoff for a while and states neither timeout nor schedule: whcli assumes 30 s and 1m, 5m, 30m.',
  ],
};
