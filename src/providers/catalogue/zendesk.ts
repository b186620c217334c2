import type { ProviderSpec } from '../types.js';

export const zendesk: ProviderSpec = {
  name: 'zendesk',
  title: 'Zendesk (webhooks for event subscriptions)',
  docs: 'https://developer.zendesk.com/documentation/webhooks/verifying/',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'base64',
    payload: '{timestamp}{body}',
    header: 'X-Zendesk-Webhook-Signature',
    timestampHeader: 'X-Zendesk-Webhook-Signature-Timestamp',
    timestampFormat: 'iso',
    toleranceSec: 300,
  },
  envelope: {
    template: {
      type: 'zen:event-type:{{event}}',
      account_id: 10_000_001,
      id: '{{event_id}}',
      time: '{{iso}}',
      zendesk_event_version: '2022-11-06',
      subject: 'zen:ticket:4511',
      detail: '{{data}}',
      event: {},
    },
    typeFrom: { path: 'type', names: { 'zen:event-type:ticket.created': 'ticket.created', 'zen:event-type:ticket.status_changed': 'ticket.status_changed', 'zen:event-type:ticket.comment_added': 'ticket.comment_added', 'zen:event-type:ticket.priority_changed': 'ticket.priority_changed', 'zen:event-type:user.created': 'user.created', 'zen:event-type:organization.created': 'organization.created' } },
    idFrom: { path: 'id' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'Zendesk Webhook', 'X-Zendesk-Webhook-Id': '01HWHCLI0000000000000000ZD', 'X-Zendesk-Webhook-Invocation-Id': '{{digits}}' },
  timeoutMs: 12_000,
  retries: [{ delay: '1m', count: 3 }],
  events: [
    { name: 'ticket.created', description: 'A ticket was created' },
    { name: 'ticket.status_changed', description: "A ticket's status changed" },
    { name: 'ticket.comment_added', description: 'A comment was added to a ticket' },
    { name: 'ticket.priority_changed', description: "A ticket's priority changed" },
    { name: 'user.created', description: 'A user was created' },
    { name: 'organization.created', description: 'An organization was created' },
  ],
  notes: [
    'X-Zendesk-Webhook-Signature is base64 HMAC-SHA256 (signing secret) of X-Zendesk-Webhook-Signature-Timestamp followed directly by the body.',
    'The body\'s type is "zen:event-type:<event>": whcli\'s event names leave out that prefix (a colon cannot be in a fixture file name on every system).',
    'Timeout 12 s; Zendesk retries up to 3 times only on 409 and on 429/503 with Retry-After (spacing assumed 1 minute). The timestamp header is written as ISO 8601 (assumption from the doc\'s examples).',
  ],
};
