import type { ProviderSpec } from '../types.js';

export const linear: ProviderSpec = {
  name: 'linear',
  title: 'Linear',
  docs: 'https://linear.app/developers/webhooks#securing-webhooks',
  scheme: { type: 'templated-hmac', algorithm: 'sha256', encoding: 'hex', payload: '{body}', header: 'Linear-Signature' },
  envelope: {
    template: {
      action: '{{event.action}}',
      actor: { id: '2e6eea91-1111-4a3c-9f0e-4c4a1d0b0001', type: 'user', name: 'Amina Haddad' },
      createdAt: '{{iso}}',
      data: '{{data}}',
      type: '{{event.base}}',
      url: 'https://linear.app/whcli/issue/ENG-42',
      organizationId: '0d7d6a2c-5b8e-4f59-8c2a-1b4a5e6f7a80',
      webhookTimestamp: '{{timestamp_ms}}',
      webhookId: '8f3a1c2e-9b4d-4e6f-a1b2-c3d4e5f6a7b8',
    },
    typeFrom: { path: 'type', actionPath: 'action' },
    idFrom: { header: 'Linear-Delivery' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'Linear-Webhook', 'Linear-Delivery': '{{event_id}}', 'Linear-Event': '{{event.base}}' },
  timeoutMs: 5_000,
  // "retry ... up to 3 times, with a backoff of 1 minute, 1 hour and 6 hours".
  retries: [
    { delay: '1m', count: 1 },
    { delay: '1h', count: 1 },
    { delay: '6h', count: 1 },
  ],
  events: [
    { name: 'Issue.create', description: 'An issue was created' },
    { name: 'Issue.update', description: 'An issue changed' },
    { name: 'Issue.remove', description: 'An issue was deleted' },
    { name: 'Comment.create', description: 'A comment was added' },
    { name: 'Project.update', description: 'A project changed' },
    { name: 'IssueLabel.create', description: 'A label was created' },
    { name: 'Cycle.create', description: 'A cycle was created' },
  ],
  notes: [
    'Linear-Signature is hex HMAC-SHA256 of the raw body; the body\'s webhookTimestamp (ms) should be within a minute of now, which the doc asks handlers to check.',
    'Event names are type.action, as in the body ("type": "Issue", "action": "create").',
    'Timeout 5 s; retries after 1 minute, 1 hour and 6 hours (doc).',
  ],
};
