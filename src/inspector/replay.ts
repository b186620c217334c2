import { sendRequest, type DeliveryResult, type OutgoingRequest } from '../delivery/send.js';
import type { RelayEvent } from '../relay/protocol.js';
import { buildForwardRequest, describeEvent, type ForwardOptions } from '../tunnel/forward.js';
import type { ForwardedEvent } from '../tunnel/listener.js';
import { matchRoute, type Route } from '../tunnel/routes.js';
import { sentRequest, type Exchange, type NewExchange } from './exchange-log.js';

export type SendRequest = (request: OutgoingRequest) => Promise<DeliveryResult>;

/** The log entry for a delivery the listener made, answered at `now`. */
export function exchangeFromForward({ event, info, request, result, route }: ForwardedEvent, now = Date.now()): NewExchange {
  return {
    route,
    eventId: event.id,
    edited: false,
    receivedAt: event.receivedAt,
    sentAt: now - result.durationMs,
    eventType: info.type,
    providerEventId: info.eventId,
    received: { method: event.method, path: event.path, query: event.query, headers: event.headers, body: event.body },
    sent: sentRequest(request),
    result,
  };
}

/** The listener's forward settings; with routes, each event goes where its route sends it. */
export type ReplayOptions = ForwardOptions & { routes?: readonly Route[] };

/**
 * Sends an exchange's event to the handler again through the listener's own forward path
 * (`buildForwardRequest`, then `sendRequest`): same method, path, query and headers, freshly signed.
 * With routes, the event is routed again as the listener routed it: the route's handler, provider
 * and secret, its path prefix taken off. With `body`, those bytes are sent and signed instead.
 */
export async function replayExchange(original: Exchange, options: ReplayOptions, body?: Buffer, send: SendRequest = sendRequest): Promise<NewExchange> {
  const { received } = original;
  const edited = body !== undefined && !body.equals(received.body);
  const event: RelayEvent = {
    seq: 0,
    id: original.eventId,
    channel: '',
    receivedAt: original.receivedAt,
    method: received.method,
    path: received.path,
    query: received.query,
    headers: received.headers,
    body: edited ? body! : received.body,
  };
  const { routes, ...single } = options;
  const match = routes ? matchRoute(routes, event) : undefined;
  const forward: ForwardOptions = match ? { ...single, forward: match.route.forward, provider: match.route.provider, secret: match.route.secret, resign: match.route.resign } : single;
  const info = match?.info ?? describeEvent(event, forward.provider);
  const request = buildForwardRequest(match?.event ?? event, forward, info);
  const sentAt = Date.now();
  const result = await send(request);
  return {
    route: match?.route.name ?? original.route,
    eventId: original.eventId,
    replayOf: original.id,
    edited,
    receivedAt: original.receivedAt,
    sentAt,
    eventType: info.type ?? original.eventType,
    providerEventId: info.eventId ?? original.providerEventId,
    received,
    sent: sentRequest(request),
    result,
  };
}
