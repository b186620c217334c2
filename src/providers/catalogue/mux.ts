import type { ProviderSpec } from '../types.js';

export const mux: ProviderSpec = {
  name: 'mux',
  title: 'Mux',
  docs: 'https://www.mux.com/docs/core/verify-webhook-signatures',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    payload: '{timestamp}.{body}',
    header: 'Mux-Signature',
    value: 't={timestamp},v1={signature}',
    toleranceSec: 300,
  },
  envelope: {
    template: {
      type: '{{event}}',
      object: { type: '{{event.base}}', id: 'RyB2Aw4FzG7yn02rXbh6V02Oww6r01iH00b1' },
      id: '{{event_id}}',
      environment: { name: 'Production', id: 'j0863n' },
      data: '{{data}}',
      created_at: '{{iso}}',
      attempts: [],
      accessor_source: null,
      accessor: null,
      request_id: null,
    },
    typeFrom: { path: 'type' },
    idFrom: { path: 'id' },
    idTemplate: '{{uuid}}',
  },
  headers: { 'User-Agent': 'Mux Webhooks' },
  timeoutMs: 5_000,
  // Retried "for up to 24 hours" with backoff.
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '1h', count: 2 },
    { delay: '4h', count: 1 },
    { delay: '8h', count: 2 },
  ],
  events: [
    { name: 'video.asset.created', description: 'An asset was created' },
    { name: 'video.asset.ready', description: 'An asset is ready to play' },
    { name: 'video.asset.errored', description: 'An asset failed to process' },
    { name: 'video.asset.deleted', description: 'An asset was deleted' },
    { name: 'video.upload.asset_created', description: 'A direct upload created an asset' },
    { name: 'video.live_stream.active', description: 'A live stream went live' },
    { name: 'video.live_stream.idle', description: 'A live stream ended' },
  ],
  notes: [
    'Mux-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> with the webhook signing secret; the SDK allows 5 minutes.',
    '"object.type" is the event\'s first part (video); Mux writes asset/live_stream there: whcli\'s simplification.',
    'Mux retries for up to 24 hours with backoff (spacing approximated) and states no timeout: whcli assumes 5 s.',
  ],
};
