import type { ProviderSpec } from './types.js';

/** Whether a provider promises to deliver events in the order they happened, and where it says so. */
export interface DeliveryOrder {
  guaranteed: boolean;
  source: string;
}

const UNSTATED: DeliveryOrder = {
  guaranteed: false,
  source: 'not documented; whcli assumes no order, as no well-known provider guarantees one',
};

// What the well-known providers document. None guarantees order, so `whcli listen` delivers several
// events at once by default; `--ordered` delivers one at a time for handlers that need it.
const DOCUMENTED: Record<string, DeliveryOrder> = {
  stripe: { guaranteed: false, source: "https://docs.stripe.com/webhooks#event-ordering: Stripe doesn't guarantee delivery of events in the order in which they're generated" },
  shopify: { guaranteed: false, source: "https://shopify.dev/docs/apps/build/webhooks/best-practices: Shopify doesn't guarantee ordering within a topic, or across topics for the same resource" },
  'standard-webhooks': { guaranteed: false, source: 'https://docs.svix.com/receiving/introduction: messages may be delivered out of order (retries overtake newer messages)' },
  github: { guaranteed: false, source: 'https://docs.github.com/webhooks/using-webhooks/best-practices-for-using-webhooks: deliveries are independent and may be redelivered; no order is promised (assumed)' },
  slack: { guaranteed: false, source: 'https://api.slack.com/apis/events-api: events are delivered independently and retried; no order is promised (assumed)' },
};

/** A provider's ordering promise: its own spec's, else what its docs say, else none. */
export function deliveryOrder(provider: ProviderSpec): DeliveryOrder {
  return provider.ordering ?? DOCUMENTED[provider.name] ?? UNSTATED;
}
