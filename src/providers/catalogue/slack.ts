import type { ProviderSpec } from '../types.js';

export const slack: ProviderSpec = {
  name: 'slack',
  title: 'Slack (Events API)',
  docs: 'https://api.slack.com/authentication/verifying-requests-from-slack',
  scheme: { type: 'slack', toleranceSec: 300 },
  envelope: {
    template: {
      token: 'verification-token-deprecated',
      team_id: 'T0001WHCLI',
      api_app_id: 'A0001WHCLI',
      event: '{{data}}',
      type: 'event_callback',
      event_id: '{{event_id}}',
      event_time: '{{timestamp}}',
      authorizations: [{ team_id: 'T0001WHCLI', user_id: 'U0001BOT', is_bot: true }],
    },
    typeFrom: { path: 'event.type' },
    idFrom: { path: 'event_id' },
    idTemplate: 'Ev{{RAND}}',
  },
  headers: { 'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' },
  timeoutMs: 3_000,
  // Slack retries three times: nearly at once, after 1 minute, after 5 minutes.
  retries: [
    { delay: '1s', count: 1 },
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
  ],
  // https://api.slack.com/apis/events-api#retries: each retry says which one it is and why; a handler
  // answering X-Slack-No-Retry: 1 turns retries of that event off.
  retrySignals: {
    headers: { 'X-Slack-Retry-Num': '{{retry_num}}', 'X-Slack-Retry-Reason': '{{retry_reason}}' },
    stopOn: [{ header: 'X-Slack-No-Retry', value: '1' }],
  },
  events: [
    { name: 'app_mention', description: 'The app was mentioned in a channel' },
    { name: 'message', description: 'A message was posted in a channel' },
    { name: 'reaction_added', description: 'A reaction was added to an item' },
    { name: 'member_joined_channel', description: 'A user joined a channel' },
    { name: 'team_join', description: 'A new member joined the workspace' },
    { name: 'app_home_opened', description: "A user opened the app's home tab" },
    { name: 'channel_created', description: 'A channel was created' },
  ],
  notes: [
    'Slack expects an answer within 3 seconds and retries 3 times: at once, after 1 minute, after 5 minutes.',
    'Retries carry X-Slack-Retry-Num (1, 2, 3) and X-Slack-Retry-Reason (http_timeout, connection_failed, http_error, ...); an answer with X-Slack-No-Retry: 1 stops them.',
  ],
};
