import type { ProviderSpec } from '../types.js';
import { svixDelivery } from './standard-webhooks.js';

export const clerk: ProviderSpec = {
  name: 'clerk',
  title: 'Clerk (Svix)',
  docs: 'https://clerk.com/docs/webhooks/sync-data',
  ...svixDelivery,
  envelope: {
    template: {
      data: '{{data}}',
      event_attributes: { http_request: { client_ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15' } },
      instance_id: 'ins_2gWHCLI0000000000000000001',
      object: 'event',
      timestamp: '{{timestamp_ms}}',
      type: '{{event}}',
    },
    typeFrom: { path: 'type' },
    idFrom: { header: 'svix-id' },
    idTemplate: 'msg_{{rand}}',
  },
  events: [
    { name: 'user.created', description: 'A user signed up' },
    { name: 'user.updated', description: 'A user changed' },
    { name: 'user.deleted', description: 'A user was deleted' },
    { name: 'session.created', description: 'A session started' },
    { name: 'session.ended', description: 'A session ended' },
    { name: 'organization.created', description: 'An organization was created' },
    { name: 'organizationMembership.created', description: 'A user joined an organization' },
    { name: 'email.created', description: 'Clerk is about to send an email (delivered by you)' },
  ],
  notes: [
    'Clerk delivers through Svix: svix-id, svix-timestamp and svix-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>", key = base64 after whsec_).',
    'Retry schedule and 15 s timeout are Svix\'s, which Clerk\'s doc points to.',
  ],
};
