import type { ProviderSpec } from '../types.js';
import { mailgunRetries } from './mailgun.js';

export const mailgunRoutes: ProviderSpec = {
  name: 'mailgun-routes',
  title: 'Mailgun (inbound routes, form posts)',
  docs: 'https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/',
  scheme: {
    type: 'body-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    fields: { timestamp: 'timestamp', token: 'token', signature: 'signature' },
    payload: '{timestamp}{token}',
  },
  envelope: {
    template: '{{data}}',
    format: 'form',
    typeFrom: { path: 'event' },
    idFrom: { path: 'Message-Id' },
    idTemplate: '<{{rand}}@mail.example.com>',
  },
  headers: { 'User-Agent': 'mailgun/treq-16.12.0' },
  timeoutMs: 10_000,
  retries: mailgunRetries,
  events: [
    { name: 'inbound.forward', description: 'A route forwarded a parsed inbound message' },
    { name: 'inbound.reply', description: 'A route forwarded a reply with its quoted part stripped' },
  ],
  notes: [
    'Routes post the parsed message as application/x-www-form-urlencoded fields, with timestamp, token and signature as fields (hex HMAC-SHA256 of timestamp + token). Attachments (multipart) are not sent.',
    'The event name is whcli\'s: Mailgun sends no type field for routes; the fixture carries an "event" field to tell the two apart.',
    'Retries as for Mailgun event webhooks (assumption: the routes doc says a failed forward is retried like webhooks).',
  ],
};
