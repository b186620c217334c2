import type { ProviderSpec } from '../types.js';

export const zoom: ProviderSpec = {
  name: 'zoom',
  title: 'Zoom',
  docs: 'https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    payload: 'v0:{timestamp}:{body}',
    header: 'x-zm-signature',
    value: 'v0={signature}',
    timestampHeader: 'x-zm-request-timestamp',
    toleranceSec: 300,
  },
  envelope: {
    template: { event: '{{event}}', event_ts: '{{timestamp_ms}}', payload: '{{data}}' },
    typeFrom: { path: 'event' },
    idFrom: { header: 'x-zm-trackingid' },
    idTemplate: 'v=1.0&a={{rand}}',
  },
  headers: { 'User-Agent': 'Zoom Marketplace/1.0a', 'x-zm-trackingid': '{{event_id}}' },
  timeoutMs: 3_000,
  // "Zoom will retry ... three times: 5 minutes, 30 minutes and 90 minutes after the first attempt."
  retries: [
    { delay: '5m', count: 1 },
    { delay: '25m', count: 1 },
    { delay: '60m', count: 1 },
  ],
  events: [
    { name: 'endpoint.url_validation', description: 'Challenge: answer {plainToken, encryptedToken} to validate the URL' },
    { name: 'meeting.created', description: 'A meeting was scheduled' },
    { name: 'meeting.started', description: 'A meeting started' },
    { name: 'meeting.ended', description: 'A meeting ended' },
    { name: 'meeting.participant_joined', description: 'A participant joined a meeting' },
    { name: 'meeting.participant_left', description: 'A participant left a meeting' },
    { name: 'recording.completed', description: 'A cloud recording is ready' },
  ],
  notes: [
    'x-zm-signature: v0=<hex HMAC-SHA256 of "v0:<x-zm-request-timestamp>:<body>"> keyed with the app\'s secret token.',
    'endpoint.url_validation is the URL challenge: the handler answers 200 with {"plainToken": <payload.plainToken>, "encryptedToken": hex HMAC-SHA256(secret token, plainToken)}; `whcli verify` checks the answer.',
    'Zoom needs a 2xx within 3 seconds and retries 3 times: 5, 30 and 90 minutes after the first attempt.',
  ],
};
