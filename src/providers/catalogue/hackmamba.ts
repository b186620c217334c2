import type { ProviderSpec } from '../types.js';

export const hackmamba: ProviderSpec = {
  name: 'hackmamba',
  title: 'Hackmamba',
  docs: 'shared/seeds/hackmamba-webhooks.txt',
  scheme: {
    type: 'hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    header: 'x-hackmamba-signature',
    prefix: 'sha256=',
  },
  envelope: {
    template: {
      id: '{{event_id}}',
      type: '{{event}}',
      created: '{{timestamp}}',
      data: '{{data}}',
      livemode: false,
      pending_webhooks: 1,
      request: { id: 'req_{{rand}}' },
    },
    typeFrom: { path: 'type' },
    idFrom: { path: 'id' },
    idTemplate: 'evt_{{digits}}',
  },
  timeoutMs: 30_000,
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '15m', count: 1 },
  ],
  events: [
    { name: 'user.created', description: 'A new user is created' },
    { name: 'user.updated', description: 'User information is updated' },
    { name: 'user.deleted', description: 'A user is deleted' },
    { name: 'project.created', description: 'A new project is created' },
    { name: 'project.updated', description: 'Project settings are updated' },
    { name: 'project.deleted', description: 'A project is deleted' },
    { name: 'payment.succeeded', description: 'A payment is completed successfully' },
    { name: 'payment.failed', description: 'A payment fails' },
    { name: 'payment.refunded', description: 'A payment is refunded' },
  ],
  notes: ['Retries up to 3 times at 1, 5 and 15 minutes on a non-2xx; 30 s timeout per attempt.'],
};
