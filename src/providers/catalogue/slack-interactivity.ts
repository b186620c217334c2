import type { ProviderSpec } from '../types.js';

export const slackInteractivity: ProviderSpec = {
  name: 'slack-interactivity',
  title: 'Slack (interactivity, form posts)',
  docs: 'https://api.slack.com/interactivity/handling',
  scheme: { type: 'slack', toleranceSec: 300 },
  envelope: {
    // Interactivity posts one form field, payload=<JSON>.
    template: '{{data}}',
    format: 'form',
    typeFrom: { path: 'payload.type' },
    idFrom: { path: 'payload.trigger_id' },
    idTemplate: '{{digits}}.{{digits}}.{{rand}}',
  },
  headers: { 'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' },
  timeoutMs: 3_000,
  retries: [],
  events: [
    { name: 'block_actions', description: 'A user clicked a button or picked an option' },
    { name: 'view_submission', description: 'A user submitted a modal' },
    { name: 'view_closed', description: 'A user closed a modal (when notify_on_close)' },
    { name: 'shortcut', description: 'A user used a global shortcut' },
    { name: 'message_action', description: 'A user used a message shortcut' },
  ],
  notes: [
    'Signed like the Events API (v0= HMAC-SHA256 of "v0:ts:body") but the body is application/x-www-form-urlencoded with one field, payload=<JSON>.',
    'Slack needs an answer within 3 seconds and does not retry interactions.',
    'Slash commands (form fields command, text, response_url, ...) are signed the same way; they have no type field, so they are not an event here: send one with `whcli trigger --data` on a config provider of this shape.',
  ],
};
