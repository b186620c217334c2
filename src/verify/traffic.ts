/**
 * What the stress checks need to know about each provider's traffic, as data: which events are two
 * moments of the same object (for out-of-order) and how fast it delivers (for burst).
 */

/** Two events of one object: `later` happens after `earlier`; `link` copies `earlier` paths into `later`. */
export interface ObjectPair {
  earlier: string;
  later: string;
  /** Body path in the later event -> body path in the earlier one: the fields that name the object. */
  link: Record<string, string>;
}

const stripeObject = { 'data.object.id': 'data.object.id', 'data.object.customer': 'data.object.customer' };
const dataId = { 'data.id': 'data.id' };
const topId = { id: 'id' };
const pullRequest = { 'pull_request.id': 'pull_request.id', number: 'number', 'pull_request.number': 'pull_request.number' };

/**
 * Same-object pairs per provider. Lava, Lehjah and Lahza name an event by its object's id (their
 * docs key idempotency on it), so two events of one object look like one event delivered twice:
 * they have no pair here, and the duplicate checks cover them.
 */
export const OBJECT_PAIRS: Record<string, ObjectPair[]> = {
  stripe: [
    { earlier: 'customer.subscription.created', later: 'customer.subscription.updated', link: stripeObject },
    { earlier: 'customer.subscription.created', later: 'customer.subscription.deleted', link: stripeObject },
    { earlier: 'charge.succeeded', later: 'charge.refunded', link: { ...stripeObject, 'data.object.payment_intent': 'data.object.payment_intent' } },
    { earlier: 'payment_intent.payment_failed', later: 'payment_intent.succeeded', link: stripeObject },
    // The invoice's id names the object; its subscription sits at a path that moved between API versions.
    { earlier: 'invoice.payment_failed', later: 'invoice.paid', link: stripeObject },
  ],
  github: [
    { earlier: 'pull_request.opened', later: 'pull_request.synchronize', link: pullRequest },
    { earlier: 'pull_request.opened', later: 'pull_request.closed', link: pullRequest },
    { earlier: 'issues.opened', later: 'issue_comment.created', link: { 'issue.id': 'issue.id', 'issue.number': 'issue.number' } },
  ],
  shopify: [
    { earlier: 'orders/create', later: 'orders/paid', link: topId },
    { earlier: 'orders/create', later: 'orders/updated', link: topId },
    { earlier: 'orders/create', later: 'orders/cancelled', link: topId },
    { earlier: 'products/create', later: 'products/update', link: topId },
    { earlier: 'orders/paid', later: 'refunds/create', link: { order_id: 'id' } },
  ],
  hackmamba: [
    { earlier: 'user.created', later: 'user.updated', link: dataId },
    { earlier: 'user.created', later: 'user.deleted', link: dataId },
    { earlier: 'project.created', later: 'project.updated', link: dataId },
    { earlier: 'project.created', later: 'project.deleted', link: dataId },
    { earlier: 'payment.succeeded', later: 'payment.refunded', link: dataId },
  ],
  laabam: [{ earlier: 'invoice.created', later: 'invoice.paid', link: { 'data.invoice_id': 'data.invoice_id' } }],
  paystack: [{ earlier: 'subscription.create', later: 'subscription.disable', link: { 'data.subscription_code': 'data.subscription_code' } }],
  'standard-webhooks': [
    { earlier: 'user.created', later: 'user.updated', link: dataId },
    { earlier: 'user.created', later: 'user.deleted', link: dataId },
    { earlier: 'subscription.created', later: 'subscription.canceled', link: dataId },
  ],
};

/** How fast a provider delivers, for the burst check. */
export interface DeliveryRate {
  perSecond: number;
  /** Where the figure comes from; "assumed" when the provider documents none. */
  source: string;
}

/** No provider in the catalogue documents a delivery rate; these are assumptions, said as such. */
export const DELIVERY_RATES: Record<string, DeliveryRate> = {
  stripe: { perSecond: 25, source: "assumed: Stripe documents no webhook rate; 25/s is its test-mode API rate limit" },
  github: { perSecond: 10, source: 'assumed: GitHub documents no webhook rate' },
  shopify: { perSecond: 10, source: 'assumed: Shopify documents no webhook rate' },
  slack: { perSecond: 8, source: "Slack's Events API delivers up to 30,000 events per hour per workspace (about 8/s)" },
};

/** The rate burst uses when a provider has no entry above. */
export const DEFAULT_DELIVERY_RATE: DeliveryRate = { perSecond: 10, source: 'assumed: the provider documents no delivery rate' };

/** Events the burst check sends by default. */
export const DEFAULT_BURST_COUNT = 20;

/** The pair whose later event is `event`, for a provider's events; undefined when none. */
export function pairFor(provider: string, event: string, events: readonly string[]): ObjectPair | undefined {
  return OBJECT_PAIRS[provider]?.find((p) => p.later === event && events.includes(p.earlier));
}
