import type { ProviderSpec } from '../types.js';

export const workos: ProviderSpec = {
  name: 'workos',
  title: 'WorkOS',
  docs: 'https://workos.com/docs/events/data-syncing/webhooks',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    payload: '{timestamp}.{body}',
    header: 'WorkOS-Signature',
    value: 't={timestamp}, v1={signature}',
    timestampFormat: 'unix-ms',
    toleranceSec: 180,
  },
  envelope: {
    template: { id: '{{event_id}}', event: '{{event}}', data: '{{data}}', created_at: '{{iso}}' },
    typeFrom: { path: 'event' },
    idFrom: { path: 'id' },
    idTemplate: 'event_{{RAND}}{{RAND}}',
  },
  headers: { 'User-Agent': 'WorkOS Webhooks' },
  timeoutMs: 10_000,
  // Up to 6 attempts over about 3 days with exponential backoff.
  retries: [
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '12h', count: 1 },
    { delay: '48h', count: 1 },
  ],
  events: [
    { name: 'dsync.user.created', description: 'A directory user was created' },
    { name: 'dsync.user.updated', description: 'A directory user changed' },
    { name: 'dsync.user.deleted', description: 'A directory user was deleted' },
    { name: 'dsync.group.created', description: 'A directory group was created' },
    { name: 'user.created', description: 'An AuthKit user was created' },
    { name: 'authentication.email_verification_succeeded', description: 'A user verified their email' },
    { name: 'connection.activated', description: 'An SSO connection was activated' },
    { name: 'organization.created', description: 'An organization was created' },
  ],
  verifiesReserialized: { source: '@workos-inc/node constructEvent: JSON.stringify(payload) before the HMAC' },
  notes: [
    'WorkOS-Signature: t=<unix ms>, v1=<hex HMAC-SHA256 of "t.body">; the SDK allows 3 minutes by default.',
    'Retries up to 6 times over about 3 days with exponential backoff (spacing approximated); the timeout is not published: whcli assumes 10 s.',
  ],
};
