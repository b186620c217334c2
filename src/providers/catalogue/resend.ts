import type { ProviderSpec } from '../types.js';
import { svixDelivery } from './standard-webhooks.js';

export const resend: ProviderSpec = {
  name: 'resend',
  title: 'Resend (Svix)',
  docs: 'https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests',
  ...svixDelivery,
  envelope: {
    template: { type: '{{event}}', created_at: '{{iso}}', data: '{{data}}' },
    typeFrom: { path: 'type' },
    idFrom: { header: 'svix-id' },
    idTemplate: 'msg_{{rand}}',
  },
  events: [
    { name: 'email.sent', description: 'An email was accepted for delivery' },
    { name: 'email.delivered', description: 'An email reached the recipient server' },
    { name: 'email.delivery_delayed', description: 'Delivery is delayed' },
    { name: 'email.bounced', description: 'An email bounced' },
    { name: 'email.complained', description: 'A recipient marked an email as spam' },
    { name: 'email.opened', description: 'A recipient opened an email' },
    { name: 'email.clicked', description: 'A recipient clicked a link' },
    { name: 'contact.created', description: 'A contact was added to an audience' },
    { name: 'domain.updated', description: 'A sending domain changed status' },
  ],
  notes: [
    'Resend delivers through Svix: svix-id, svix-timestamp, svix-signature (Standard Webhooks with svix- names; whsec_ secret).',
    'Retry schedule and 15 s timeout are Svix\'s (5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 10 h), as Resend\'s doc lists.',
  ],
};
