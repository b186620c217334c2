import type { ProviderSpec } from '../types.js';

const notification = (version = '1') => ({ 'Twitch-Eventsub-Message-Type': 'notification', 'Twitch-Eventsub-Subscription-Version': version });

export const twitch: ProviderSpec = {
  name: 'twitch',
  title: 'Twitch EventSub (webhooks)',
  docs: 'https://dev.twitch.tv/docs/eventsub/handling-webhook-events/',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    payload: '{id}{timestamp}{body}',
    header: 'Twitch-Eventsub-Message-Signature',
    value: 'sha256={signature}',
    timestampHeader: 'Twitch-Eventsub-Message-Timestamp',
    idHeader: 'Twitch-Eventsub-Message-Id',
    timestampFormat: 'iso',
    toleranceSec: 600,
  },
  envelope: {
    template: '{{data}}',
    typeFrom: { header: 'Twitch-Eventsub-Subscription-Type' },
    idFrom: { header: 'Twitch-Eventsub-Message-Id' },
    idTemplate: '{{uuid}}',
  },
  headers: {
    'User-Agent': 'Twitch-Eventsub-Webhooks/1.0',
    'Twitch-Eventsub-Message-Retry': '0',
    'Twitch-Eventsub-Subscription-Type': '{{event}}',
  },
  timeoutMs: 10_000,
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '15m', count: 1 },
  ],
  events: [
    { name: 'stream.online', description: 'A broadcaster went live', headers: notification() },
    { name: 'stream.offline', description: 'A broadcaster stopped streaming', headers: notification() },
    { name: 'channel.follow', description: 'A user followed a channel', headers: notification('2') },
    { name: 'channel.subscribe', description: 'A user subscribed to a channel', headers: notification() },
    { name: 'channel.cheer', description: 'A user cheered Bits', headers: notification() },
    { name: 'channel.raid', description: 'A broadcaster raided another channel', headers: notification() },
    { name: 'channel.update', description: 'A broadcaster changed title or category', headers: notification('2') },
  ],
  notes: [
    'Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256 of message id + timestamp (RFC 3339) + body> keyed with the subscription secret; Twitch recommends refusing messages older than 10 minutes.',
    'The subscription challenge (Twitch-Eventsub-Message-Type: webhook_callback_verification) is sent by `whcli verify`: the handler must answer 200 with the body\'s "challenge" as text/plain.',
    'Twitch waits "a few seconds" and retries a few times before revoking a failing subscription, without a published schedule: whcli assumes 10 s and 1m, 5m, 15m.',
  ],
};
