/**
 * Handlers with the bugs the raw-body, stress and --diagnose checks exist for. Each verifies with the
 * provider's own code (see verify-handlers.ts) and gets one thing wrong, as real handlers do.
 */
import { EventEmitter, once } from 'node:events';
import Stripe from 'stripe';
import { SECRETS, verifierFor } from './verify-handlers.js';
import type { ReceivedWebhook, Reply, WebhookHandler } from './verify-server.js';

const OK: Reply = { status: 200, body: '{"received":true}' };
const REFUSED: Reply = { status: 400, body: 'Webhook signature verification failed' };

/** Verifies the signature over JSON.stringify(JSON.parse(body)), as express.json() users do. */
export function reserializingHandler(provider: string): WebhookHandler {
  const verify = verifierFor(provider);
  return async (request) => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(request.body.toString('utf8'))));
    return (await verify({ ...request, body: reserialized }, SECRETS[provider]!)) ? OK : REFUSED;
  };
}

/** Verifies correctly, with a secret that is not the one whcli was given. */
export function otherSecretHandler(provider: string, secret: string): WebhookHandler {
  const verify = verifierFor(provider);
  return async (request) => ((await verify(request, secret)) ? OK : REFUSED);
}

/** Stripe's constructEvent run by a machine whose clock is `aheadSec` seconds fast, with a tight tolerance. */
export function clockAheadStripeHandler(aheadSec: number, toleranceSec: number): WebhookHandler {
  return ({ body, headers }) => {
    try {
      const signature = String(headers['stripe-signature'] ?? '');
      Stripe.webhooks.signature.verifyHeader(body, signature, SECRETS.stripe!, toleranceSec, undefined, Date.now() + aheadSec * 1000);
      return OK;
    } catch {
      return REFUSED;
    }
  };
}

/** Looks the signature header up in rawHeaders with an exact name, as a hand-rolled lookup does. */
export function caseSensitiveHandler(provider: string, exactName: string): WebhookHandler {
  const verify = verifierFor(provider);
  return async (request) => {
    const index = request.rawHeaders.findIndex((name, i) => i % 2 === 0 && name === exactName);
    if (index < 0) return { status: 401, body: `missing ${exactName}` };
    // Only the exactly named header counts: hand the verifier nothing else.
    const headers = { ...request.headers, [exactName.toLowerCase()]: request.rawHeaders[index + 1] };
    return (await verify({ ...request, headers }, SECRETS[provider]!)) ? OK : REFUSED;
  };
}

/** Reads GitHub's signature from X-Hub-Signature (the SHA-1 header) but checks it as SHA-256. */
export function wrongHeaderGithubHandler(): WebhookHandler {
  const verify = verifierFor('github');
  return async (request) => {
    const signature = request.headers['x-hub-signature'];
    if (typeof signature !== 'string' || !signature.startsWith('sha256=')) return { status: 401, body: 'bad signature' };
    return (await verify({ ...request, headers: { ...request.headers, 'x-hub-signature-256': signature } }, SECRETS.github!)) ? OK : REFUSED;
  };
}

/** Verifies, then refuses every event with 422 (its payload validation rejects the fixture). */
export function refusesPayloadHandler(provider: string): WebhookHandler {
  const verify = verifierFor(provider);
  return async (request) => ((await verify(request, SECRETS[provider]!)) ? { status: 422, body: 'unknown field "livemode"' } : { status: 401, body: 'bad signature' });
}

/** A server-side side-effect counter: GET ...?id=<event id> answers {"count": n}. */
export class Effects {
  private readonly counts = new Map<string, number>();
  do(id: string): void {
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  reply(request: ReceivedWebhook): Reply {
    const id = new URL(request.url, 'http://x').searchParams.get('id');
    const count = id ? (this.counts.get(id) ?? 0) : this.total();
    return { status: 200, body: JSON.stringify({ count }), contentType: 'application/json' };
  }
}

/**
 * Two requests for the same id meet: the first waits until the second arrives (or `safetyMs`
 * passes, a net far above the work), so a check-then-act race happens every time, not by luck.
 */
class Rendezvous {
  private readonly events = new EventEmitter();
  private readonly arrived = new Map<string, number>();
  async meet(id: string, safetyMs = 5000): Promise<void> {
    const count = (this.arrived.get(id) ?? 0) + 1;
    this.arrived.set(id, count);
    if (count >= 2) {
      this.events.emit(id);
      return;
    }
    await Promise.race([once(this.events, id), new Promise((resolve) => setTimeout(resolve, safetyMs).unref())]);
  }
}

type IdOf = (request: ReceivedWebhook) => string;

/**
 * Dedupe by "SELECT, then work, then INSERT": both concurrent copies pass the SELECT. With
 * `uniqueInsert` the second INSERT fails (500); without, both do the work.
 */
export function nonAtomicDedupeHandler(provider: string, idOf: IdOf, effects: Effects, options: { uniqueInsert: boolean }): WebhookHandler {
  const verify = verifierFor(provider);
  const processed = new Set<string>();
  const race = new Rendezvous();
  return async (request) => {
    if (request.method === 'GET') return effects.reply(request);
    if (!(await verify(request, SECRETS[provider]!))) return REFUSED;
    const id = idOf(request);
    if (processed.has(id)) return OK;
    await race.meet(id);
    effects.do(id);
    if (processed.has(id) && options.uniqueInsert) return { status: 500, body: `duplicate key value violates unique constraint "webhook_events_pkey" (${id})` };
    processed.add(id);
    return OK;
  };
}

/** Claims the event id before any await: the second copy sees the claim and skips the work. */
export function atomicDedupeHandler(provider: string, idOf: IdOf, effects: Effects): WebhookHandler {
  const verify = verifierFor(provider);
  const claimed = new Set<string>();
  return async (request) => {
    if (request.method === 'GET') return effects.reply(request);
    if (!(await verify(request, SECRETS[provider]!))) return REFUSED;
    const id = idOf(request);
    if (claimed.has(id)) return OK;
    claimed.add(id);
    effects.do(id);
    return OK;
  };
}

/** Stripe subscriptions kept in memory; an update of an unknown one crashes (or, fixed, is upserted). */
export function subscriptionStoreHandler(options: { upsert: boolean }): WebhookHandler {
  const verify = verifierFor('stripe');
  const subscriptions = new Map<string, { status: string }>();
  return async (request) => {
    if (!(await verify(request, SECRETS.stripe!))) return REFUSED;
    const event = JSON.parse(request.body.toString('utf8')) as { type: string; data: { object: { id: string; status: string } } };
    const sub = event.data.object;
    if (event.type === 'customer.subscription.created' || options.upsert) {
      subscriptions.set(sub.id, { status: sub.status });
      return OK;
    }
    if (event.type.startsWith('customer.subscription.')) {
      const known = subscriptions.get(sub.id);
      // The bug: assumes .created always came first.
      if (!known) return { status: 500, body: "TypeError: Cannot set properties of undefined (setting 'status')" };
      known.status = sub.status;
    }
    return OK;
  };
}

/**
 * Holds each request until `limit + 1` are in flight (or `safetyMs`), then answers 503 to the one
 * over the limit: a handler with a small worker pool under a burst.
 */
export function smallPoolHandler(provider: string, limit: number, safetyMs = 5000): WebhookHandler {
  const verify = verifierFor(provider);
  const events = new EventEmitter();
  let inFlight = 0;
  let overflowed = false;
  return async (request) => {
    if (!(await verify(request, SECRETS[provider]!))) return REFUSED;
    inFlight += 1;
    try {
      if (inFlight > limit) {
        overflowed = true;
        events.emit('overflow');
        return { status: 503, body: 'worker pool exhausted' };
      }
      if (!overflowed) await Promise.race([once(events, 'overflow'), new Promise((resolve) => setTimeout(resolve, safetyMs).unref())]);
      return OK;
    } finally {
      inFlight -= 1;
    }
  };
}

/** Verifies correctly and takes `delayMs` to answer, for the half-timeout warning. */
export function slowVerifyingHandler(provider: string, delayMs: number): WebhookHandler {
  const verify = verifierFor(provider);
  return async (request) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return (await verify(request, SECRETS[provider]!)) ? OK : REFUSED;
  };
}
