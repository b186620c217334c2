import { setTimeout as sleepFor } from 'node:timers/promises';
import { sendRequest, type DeliveryResult, type OutgoingRequest } from '../delivery/send.js';
import type { ProviderSpec } from '../providers/types.js';
import { MAX_REPORT_BODY, type DeliveryReport, type RelayEvent } from '../relay/protocol.js';
import { buildForwardRequest, describeEvent, pathLeavesBase, verifyIncoming, type EventInfo } from './forward.js';
import type { History } from './history.js';
import type { RelayServer } from '../relay/server.js';
import { LocalLink } from './local-link.js';
import { localRetryDelays, stopRetrying, type LocalRetryOptions } from './local-retries.js';
import { describeUnrouted, matchRoute, type Route } from './routes.js';
import { RelayConnection } from './relay-connection.js';
import type { ConnectionStatus, LinkCallbacks, RelayLink } from './relay-link.js';
import type { RefusedEvent } from './validate-event.js';

/** Body bytes the listener holds (queued or being delivered) before it stops reading from the relay. */
export const MAX_HELD_BYTES = 256 * 1024 * 1024;

export interface ListenerOptions {
  relay: URL;
  channel: string;
  token: string;
  forward: URL;
  provider?: ProviderSpec;
  secret?: string;
  resign: boolean;
  /** The URL URL-signing schemes sign; defaults to the handler's URL. */
  signatureUrl?: string;
  /** Only these event types are forwarded; others are acknowledged as filtered. */
  events?: ReadonlySet<string>;
  /**
   * The provider's real signing secret: each incoming event's own signature is checked with it, and
   * one that fails is not forwarded (so a stranger who learns the URL cannot get events re-signed).
   */
  verifyIncoming?: string;
  timeoutMs: number;
  /** Added to every forwarded request (listen -H). */
  headers?: readonly [string, string][];
  /** Accept the handler's TLS certificate unchecked (listen --insecure). */
  insecure?: boolean;
  /** Deliveries in flight to the handler at once; 1 keeps arrival order. */
  concurrency: number;
  history?: History;
  backoff?: { initialMs: number; maxMs: number };
  /** The relay embedded in this process, reached directly instead of over a socket. */
  local?: RelayServer;
  /** Bound on held body bytes (default MAX_HELD_BYTES): past it the listener pauses the relay. */
  maxHeldBytes?: number;
  /** Opens the relay WebSocket's connection (through an HTTP proxy). */
  agent?: import('node:http').Agent;
  /** Each event goes to the first route it matches (instead of forward/provider/secret); none: unrouted. */
  routes?: readonly Route[];
  /** Retry failed deliveries on the provider's schedule; the event stays unacknowledged meanwhile. */
  retries?: LocalRetryOptions;
}

/** Where and how one event is forwarded: the listener's own settings, or its route's. */
interface Target {
  forward: URL;
  provider?: ProviderSpec;
  secret?: string;
  resign: boolean;
  verifyIncoming?: string;
  route?: string;
}

/** One event's trip to the handler, for the screen and --json. */
export interface Delivery {
  id: string;
  seq: number;
  receivedAt: number;
  method: string;
  path: string;
  eventType?: string;
  eventId?: string;
  /** The route the event took (with routes); absent for an unrouted event, whose error says why. */
  route?: string;
  /** With --retries: this attempt's number (1 is the first delivery) and the wait before the next, if any. */
  attempt?: number;
  retryInMs?: number;
  report: DeliveryReport;
}

/** One event as received, the request sent for it (signed headers included) and the handler's answer. */
export interface ForwardedEvent {
  event: RelayEvent;
  info: EventInfo;
  request: OutgoingRequest;
  result: DeliveryResult;
  route?: string;
}

export interface ListenerCallbacks {
  onStatus?: (status: ConnectionStatus) => void;
  onDelivery?: (delivery: Delivery) => void;
  /** Called just before onDelivery with everything the web inspector shows. */
  onForward?: (forwarded: ForwardedEvent) => void;
  /** An event refused before delivery because it is malformed (acknowledged as refused when it has a seq). */
  onRefused?: (refused: RefusedEvent) => void;
}

/** Receives a channel's events from the relay, forwards each to the handler and reports back. */
export class Listener {
  private readonly connection: RelayLink;
  private readonly queue: RelayEvent[] = [];
  /** Seqs received and not yet acknowledged: a redelivery of one of these is ignored. */
  private readonly inProgress = new Set<number>();
  private running = 0;
  /** Body bytes queued or being delivered: the memory the relay's events hold here. */
  private heldBytes = 0;
  private paused = false;
  private stopping = false;
  /** Aborts retry waits on stop: their events stay unacknowledged at the relay for the next run. */
  private readonly stopped = new AbortController();
  private idleWaiters: (() => void)[] = [];
  delivered = 0;
  failed = 0;

  constructor(
    private readonly options: ListenerOptions,
    private readonly callbacks: ListenerCallbacks = {},
  ) {
    const window = Math.max(64, options.concurrency * 4);
    const link: LinkCallbacks = {
      onEvent: (event) => this.receive(event),
      onStatus: (status) => callbacks.onStatus?.(status),
      onRefused: (refused) => this.refuse(refused),
    };
    this.connection = options.local
      ? new LocalLink(options.local, options.channel, window, link)
      : new RelayConnection({ relay: options.relay, channel: options.channel, token: options.token, window, backoff: options.backoff, agent: options.agent, ...link });
  }

  start(): void {
    this.connection.start();
  }

  /** Deliveries to the handler under way right now. */
  get inFlight(): number {
    return this.running;
  }

  /** Stops taking events and waits for deliveries already under way. */
  async stop(): Promise<void> {
    // Events that arrive from now on stay unacknowledged at the relay, for the next run.
    this.stopping = true;
    this.stopped.abort();
    this.queue.length = 0;
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.connection.stop();
  }

  private receive(event: RelayEvent): void {
    if (this.stopping || this.inProgress.has(event.seq)) return;
    if (this.connection.isAcked(event.seq)) {
      // Sent again after a reconnect, but we already delivered it: confirm, don't deliver twice.
      this.connection.ack(event.seq, { ok: true, durationMs: 0, skipped: 'duplicate' });
      return;
    }
    this.inProgress.add(event.seq);
    this.queue.push(event);
    this.hold(event.body.length);
    this.drain();
  }

  /** A malformed event: never forwarded; acknowledged as refused so the relay does not send it forever. */
  private refuse(refused: RefusedEvent): void {
    if (this.stopping) return;
    const { seq } = refused;
    if (seq !== undefined && !this.inProgress.has(seq) && !this.connection.isAcked(seq)) {
      this.connection.ack(seq, { ok: false, durationMs: 0, skipped: 'rejected', error: { kind: 'malformed', message: `not forwarded: ${refused.reason}` } });
      this.failed += 1;
    }
    this.callbacks.onRefused?.(refused);
  }

  /** Counts held bytes; pauses the relay past the bound and resumes it once half is free. */
  private hold(bytes: number): void {
    this.heldBytes += bytes;
    const max = this.options.maxHeldBytes ?? MAX_HELD_BYTES;
    if (!this.paused && this.heldBytes > max) {
      this.paused = true;
      this.connection.pause?.();
    } else if (this.paused && this.heldBytes <= max / 2) {
      this.paused = false;
      this.connection.resume?.();
    }
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const event = this.queue.shift()!;
      this.running += 1;
      void this.deliver(event)
        .catch((error: unknown) => {
          // A bug must cost one event (refused, with the reason), never the listener.
          this.inProgress.delete(event.seq);
          this.refuse({ seq: event.seq, id: event.id, reason: `it could not be forwarded: ${(error as Error).message}` });
        })
        .finally(() => {
          this.running -= 1;
          this.hold(-event.body.length);
          this.inProgress.delete(event.seq);
          if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
          this.drain();
        });
    }
  }

  private async deliver(received: RelayEvent): Promise<void> {
    const o = this.options;
    let event = received;
    let info: EventInfo;
    let target: Target;
    if (o.routes) {
      const match = matchRoute(o.routes, received);
      if (!match) return this.reject(received, describeEvent(received), 'unrouted', describeUnrouted(o.routes, received));
      ({ event, info } = match);
      target = { ...match.route, route: match.route.name };
    } else {
      info = describeEvent(event, o.provider);
      target = { forward: o.forward, provider: o.provider, secret: o.secret, resign: o.resign, verifyIncoming: o.verifyIncoming };
    }
    if (o.events && !(info.type && o.events.has(info.type))) {
      // Said in the report, so a `trigger` through this listener can tell why nothing was delivered.
      const why = `event type ${info.type ? `"${info.type}"` : '(unknown)'} is filtered out: this listener forwards only ${[...o.events].join(', ')}`;
      this.connection.ack(event.seq, { ok: true, durationMs: 0, skipped: 'filtered', error: { kind: 'filtered', message: why } });
      return;
    }
    const { provider } = target;
    // The relay refuses such paths too; a relay that does not must not walk the handler's tree.
    const escape = pathLeavesBase(target.forward, event.path);
    if (escape) return this.reject(received, info, 'path', escape, target.route);
    if (provider && target.verifyIncoming !== undefined) {
      const check = verifyIncoming(event, provider, target.verifyIncoming);
      if (!check.ok) return this.reject(received, info, 'signature', check.reason, target.route);
    }
    const delays = o.retries ? localRetryDelays(provider, o.retries) : [];
    for (let attempt = 1; ; attempt += 1) {
      // Built again for each attempt: a retry carries a fresh signature for the same event id.
      const request = buildForwardRequest(event, { ...target, timeoutMs: o.timeoutMs, headers: o.headers, insecure: o.insecure, signatureUrl: o.signatureUrl }, info);
      const result = await sendRequest(request);
      const stop = stopRetrying(provider, result);
      const retryInMs = result.ok || stop ? undefined : delays[attempt - 1];
      const report: DeliveryReport = {
        ok: result.ok,
        status: result.status,
        durationMs: result.durationMs,
        headers: result.headers,
        body: result.body?.slice(0, MAX_REPORT_BODY),
        error: result.error ?? (stop ? { kind: 'stopped', message: stop } : undefined),
      };
      if (retryInMs === undefined) {
        // A failed delivery is still acknowledged once its schedule (if any) ends: it was shown and
        // kept in history, and the provider's own retry (not the relay) decides whether it comes again.
        this.connection.ack(event.seq, report);
        if (result.ok) this.delivered += 1;
        else this.failed += 1;
      }
      o.history?.record(received, {
        deliveredAt: Date.now(),
        provider: provider?.name,
        eventType: info.type,
        eventId: info.eventId,
        forward: request.url.toString(),
        route: target.route,
        attempt: o.retries ? attempt : undefined,
        report,
      });
      this.callbacks.onForward?.({ event: received, info, request, result, route: target.route });
      this.report(received, info, report, target.route, o.retries ? { attempt, retryInMs } : undefined);
      if (retryInMs === undefined) return;
      // Unless deliveries are ordered, a wait holds no delivery slot: one handler that is down must
      // not stall the others.
      const freeSlot = o.concurrency > 1;
      if (freeSlot) {
        this.running -= 1;
        this.drain();
      }
      try {
        await sleepFor(retryInMs, undefined, { signal: this.stopped.signal });
      } catch {
        return; // stopping: left unacknowledged, so the relay sends it again to the next listener
      } finally {
        if (freeSlot) this.running += 1;
      }
    }
  }

  /** An event refused (its signature failed --verify-incoming, its path leaves --forward): shown and acknowledged, never forwarded. */
  private reject(event: RelayEvent, info: EventInfo, kind: 'signature' | 'path' | 'unrouted', reason: string, route?: string): void {
    const report: DeliveryReport = { ok: false, durationMs: 0, skipped: 'rejected', error: { kind, message: `not forwarded: ${reason}` } };
    this.connection.ack(event.seq, report);
    this.failed += 1;
    // An unrouted event is kept in history, so it can be found and replayed with --forward later.
    if (kind === 'unrouted') this.options.history?.record(event, { deliveredAt: Date.now(), eventType: info.type, eventId: info.eventId, forward: '', report });
    this.report(event, info, report, route);
  }

  private report(event: RelayEvent, info: EventInfo, report: DeliveryReport, route?: string, retry?: { attempt: number; retryInMs?: number }): void {
    this.callbacks.onDelivery?.({
      id: event.id,
      seq: event.seq,
      receivedAt: event.receivedAt,
      method: event.method,
      path: event.path + (event.query ? `?${event.query}` : ''),
      eventType: info.type,
      eventId: info.eventId,
      route,
      ...retry,
      report,
    });
  }
}
