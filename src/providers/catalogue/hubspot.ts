import type { ProviderSpec } from '../types.js';

export const hubspot: ProviderSpec = {
  name: 'hubspot',
  title: 'HubSpot (webhooks, signature v3)',
  docs: 'https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests',
  scheme: {
    type: 'templated-hmac',
    algorithm: 'sha256',
    encoding: 'base64',
    payload: '{method}{url}{body}{timestamp}',
    header: 'X-HubSpot-Signature-v3',
    timestampHeader: 'X-HubSpot-Request-Timestamp',
    timestampFormat: 'unix-ms',
    toleranceSec: 300,
  },
  envelope: {
    // HubSpot posts a JSON array of up to 100 events; whcli sends one per request.
    template: ['{{data}}'],
    typeFrom: { path: '0.subscriptionType' },
    idFrom: { path: '0.eventId' },
    idTemplate: '{{digits}}',
  },
  headers: { 'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon' },
  timeoutMs: 5_000,
  // Up to 10 retries spread over 24 hours.
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '15m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '1h', count: 2 },
    { delay: '2h', count: 1 },
    { delay: '4h', count: 1 },
    { delay: '8h', count: 2 },
  ],
  events: [
    { name: 'contact.creation', description: 'A contact was created' },
    { name: 'contact.propertyChange', description: 'A contact property changed' },
    { name: 'contact.deletion', description: 'A contact was deleted' },
    { name: 'company.creation', description: 'A company was created' },
    { name: 'deal.creation', description: 'A deal was created' },
    { name: 'deal.propertyChange', description: 'A deal property changed' },
    { name: 'ticket.creation', description: 'A ticket was created' },
  ],
  notes: [
    'X-HubSpot-Signature-v3 is base64 HMAC-SHA256 (client secret) of method + URI + body + X-HubSpot-Request-Timestamp (ms); requests older than 5 minutes are refused. whcli signs the URL it sends to; pass --public-url for the target URL registered with HubSpot.',
    'HubSpot batches events into one array; whcli sends a one-event array per request.',
    'Timeout 5 s; retries up to 10 times over 24 hours (the spacing here approximates it). The older v1/v2 headers are not sent.',
  ],
};
