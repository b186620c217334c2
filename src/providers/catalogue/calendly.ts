import type { ProviderSpec } from '../types.js';

export const calendly: ProviderSpec = {
  name: 'calendly',
  title: 'Calendly',
  docs: 'https://developer.calendly.com/api-docs/ZG9jOjM2MzE2MDM4-webhook-signatures',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    payload: '{timestamp}.{body}',
    header: 'Calendly-Webhook-Signature',
    value: 't={timestamp},v1={signature}',
    toleranceSec: 180,
  },
  envelope: {
    template: {
      event: '{{event}}',
      created_at: '{{iso}}',
      created_by: 'https://api.calendly.com/users/AAAAAAAAAAAAAAAA',
      payload: '{{data}}',
    },
    typeFrom: { path: 'event' },
    idFrom: { path: 'payload.uri' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'Calendly' },
  timeoutMs: 10_000,
  // Retried with exponential backoff for 24 hours.
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '8h', count: 1 },
    { delay: '13h', count: 1 },
  ],
  events: [
    { name: 'invitee.created', description: 'An event was scheduled' },
    { name: 'invitee.canceled', description: 'A scheduled event was canceled' },
    { name: 'invitee_no_show.created', description: 'An invitee was marked as a no-show' },
    { name: 'invitee_no_show.deleted', description: 'A no-show mark was removed' },
    { name: 'routing_form_submission.created', description: 'A routing form was submitted' },
  ],
  notes: [
    'Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> with the signing key given when the subscription was created; the doc\'s example refuses signatures older than 3 minutes.',
    'Retries with exponential backoff for 24 hours (spacing approximated); the timeout is not published: whcli assumes 10 s.',
  ],
};
