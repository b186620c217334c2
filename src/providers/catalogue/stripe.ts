import type { ProviderSpec } from '../types.js';
import { bundledEvents } from '../bundled-events.js';
import { STRIPE_API_VERSION, STRIPE_OLDER_API_VERSIONS } from './stripe-events.js';

/** Every event type the stripe package lists, from fixtures/stripe/events.json (scripts/generate-stripe-fixtures.mjs). */
const stripeEvents = bundledEvents('stripe');

export const stripe: ProviderSpec = {
  name: 'stripe',
  title: 'Stripe',
  docs: 'https://docs.stripe.com/webhooks',
  scheme: { type: 'stripe', toleranceSec: 300 },
  envelope: {
    template: {
      id: '{{event_id}}',
      object: 'event',
      api_version: '{{api_version}}',
      created: '{{timestamp}}',
      data: '{{data}}',
      livemode: false,
      pending_webhooks: 1,
      request: { id: 'req_{{rand}}', idempotency_key: '{{uuid}}' },
      type: '{{event}}',
    },
    typeFrom: { path: 'type' },
    idFrom: { path: 'id' },
    idTemplate: 'evt_{{rand}}',
    dataPath: 'object',
  },
  // Stripe sends its events pretty-printed, two spaces, keys as its API renders them (id and
  // object first), with no newline at the end.
  json: { indent: 2 },
  apiVersions: { default: STRIPE_API_VERSION, others: STRIPE_OLDER_API_VERSIONS },
  headers: { 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
  timeoutMs: 20_000,
  // Stripe retries with exponential backoff for up to three days in live mode.
  retries: [
    { delay: '1h', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '4h', count: 1 },
    { delay: '8h', count: 1 },
    { delay: '16h', count: 1 },
    { delay: '24h', count: 2 },
  ],
  retryModes: {
    // Sandboxes (test mode) retry three times over a few hours; Stripe names no intervals.
    test: [
      { delay: '1h', count: 1 },
      { delay: '2h', count: 1 },
      { delay: '3h', count: 1 },
    ],
  },
  get events() {
    return stripeEvents();
  },
  notes: [
    'The whsec_ secret is the HMAC key as written (not base64-decoded).',
    'Live-mode retries follow exponential backoff over about three days; the schedule here approximates it.',
    'Timeout 20 s: assumed. Stripe documents none; it asks for a quick 2xx before any complex logic (https://docs.stripe.com/webhooks).',
    'Test-mode (sandbox) retries: Stripe says "three times over a few hours" (https://docs.stripe.com/webhooks); the 1 h, 2 h, 3 h intervals are assumed.',
    'Bodies are pretty-printed with two spaces and no trailing newline, as Stripe sends them; keys as Stripe renders objects: id, object, then by name.',
    'A fixture is the event\'s data: object, plus previous_attributes on *.updated events. --data replaces data.object; --set paths start at the envelope (e.g. data.object.amount=100).',
    `Objects follow API ${STRIPE_API_VERSION} (the stripe package's), from stripe-mock's example objects; --api-version ${STRIPE_OLDER_API_VERSIONS.join(', ')} gives the older shape of invoices (paid, charge, payment_intent, subscription), subscriptions (current_period_*), charges and payment intents (invoice); other objects keep the current shape.`,
  ],
};
