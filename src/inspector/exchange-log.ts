import type { DeliveryResult, HeaderList } from '../delivery/send.js';

/** A request as the relay received it: what the provider sent. */
export interface ReceivedRequest {
  method: string;
  /** Path after /c/<channel>, "" or starting with "/". */
  path: string;
  /** Query string without "?". */
  query: string;
  /** Header pairs in arrival order. */
  headers: [string, string][];
  body: Buffer;
}

/** The request whcli sent to the handler: headers after re-signing, and the bytes signed. */
export interface SentRequest {
  url: string;
  method: string;
  /** Path and query exactly as on the request line. */
  rawPath?: string;
  headers: HeaderList;
  body: Buffer;
}

/** One trip of one event to the handler: the listener's own delivery, or a replay from the inspector. */
export interface Exchange {
  /** Position in this session's log, "1", "2", ...: what the page and its URLs name an exchange by. */
  id: string;
  /** The relay's event id (rev_...); replays of an event share it. */
  eventId: string;
  /** 1 for the listener's delivery, 2 and up for replays of the same event. */
  attempt: number;
  /** The exchange this one replayed. */
  replayOf?: string;
  /** Sent with a body edited in the inspector. */
  edited: boolean;
  /** When the relay received the event (unix ms). */
  receivedAt: number;
  /** When this trip to the handler started (unix ms). */
  sentAt: number;
  eventType?: string;
  /** The listener's route the event took, when it has routes. */
  route?: string;
  /** The provider's own event id (evt_..., a delivery GUID), when the envelope has one. */
  providerEventId?: string;
  received: ReceivedRequest;
  sent: SentRequest;
  result: DeliveryResult;
}

export type NewExchange = Omit<Exchange, 'id' | 'attempt'>;

export interface ExchangeLogOptions {
  /** Exchanges kept; the oldest go first. */
  maxEntries?: number;
  /** Body bytes kept across all exchanges (a replay that reuses its event's body costs nothing). */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_ENTRIES = 500;
/** How long addLater waits to add what it was given, in one go. */
const LATER_MS = 50;
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The Buffers an exchange holds: a replay shares its event's body, and an unedited send its received one. */
function bodiesOf(exchange: Exchange): Buffer[] {
  return exchange.sent.body === exchange.received.body ? [exchange.received.body] : [exchange.received.body, exchange.sent.body];
}

/** The inspector's memory: a bounded ring of exchanges, newest last, with a change feed. */
export class ExchangeLog {
  readonly maxEntries: number;
  private readonly maxBodyBytes: number;
  private readonly entries: Exchange[] = [];
  /** Per relay event id: the last attempt number and how many of its exchanges are still kept. */
  private readonly events = new Map<string, { attempt: number; kept: number }>();
  private readonly subscribers = new Set<(exchange: Exchange) => void>();
  /** Each body Buffer kept, with how many exchanges hold it: shared bytes are counted once. */
  private readonly bodies = new Map<Buffer, number>();
  private bodyBytes = 0;
  private next = 1;
  /** Exchanges given to addLater and not yet added, oldest first. */
  private later: (() => NewExchange)[] = [];
  private laterTimer: NodeJS.Timeout | undefined;

  constructor(options: ExchangeLogOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Records an exchange, numbering it and its attempt, and tells subscribers. */
  add(exchange: NewExchange): Exchange {
    this.addPending();
    return this.addNow(exchange);
  }

  /**
   * Records the exchange `make` returns within LATER_MS, in order with every other add; reading the
   * log adds what waits first. The listener's deliveries come this way: added one by one between
   * two deliveries, each cost several times what it does in a batch.
   */
  addLater(make: () => NewExchange): void {
    this.later.push(make);
    this.laterTimer ??= setTimeout(() => this.addPending(), LATER_MS).unref();
  }

  private addPending(): void {
    clearTimeout(this.laterTimer);
    this.laterTimer = undefined;
    if (this.later.length === 0) return;
    const waiting = this.later;
    this.later = [];
    for (const make of waiting) this.addNow(make());
  }

  private addNow(exchange: NewExchange): Exchange {
    let counts = this.events.get(exchange.eventId);
    if (!counts) this.events.set(exchange.eventId, (counts = { attempt: 0, kept: 0 }));
    counts.attempt += 1;
    counts.kept += 1;
    // Field by field rather than spread: this runs once per delivered event, and a spread was its dearest part.
    const entry: Exchange = {
      id: String(this.next++),
      eventId: exchange.eventId,
      attempt: counts.attempt,
      replayOf: exchange.replayOf,
      edited: exchange.edited,
      receivedAt: exchange.receivedAt,
      sentAt: exchange.sentAt,
      eventType: exchange.eventType,
      route: exchange.route,
      providerEventId: exchange.providerEventId,
      received: exchange.received,
      sent: exchange.sent,
      result: exchange.result,
    } satisfies Record<keyof Exchange, unknown>; // every field listed, so a new one is not dropped here
    this.entries.push(entry);
    for (const body of bodiesOf(entry)) this.hold(body);
    // Keep the newest entry even when it alone is over the byte budget.
    while (this.entries.length > this.maxEntries || (this.bodyBytes > this.maxBodyBytes && this.entries.length > 1)) this.evictOldest();
    for (const subscriber of this.subscribers) subscriber(entry);
    return entry;
  }

  get(id: string): Exchange | undefined {
    this.addPending();
    // Ids are consecutive and kept oldest first, so an id's place in `entries` is known.
    const first = this.entries[0];
    const entry = first && this.entries[Number(id) - Number(first.id)];
    return entry?.id === id ? entry : undefined;
  }

  /** Every exchange kept, oldest first. */
  list(): readonly Exchange[] {
    this.addPending();
    return this.entries;
  }

  /** Calls `fn` with each new exchange; returns the unsubscribe function. */
  subscribe(fn: (exchange: Exchange) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  private hold(body: Buffer): void {
    const holders = this.bodies.get(body) ?? 0;
    if (holders === 0) this.bodyBytes += body.length;
    this.bodies.set(body, holders + 1);
  }

  private release(body: Buffer): void {
    const holders = this.bodies.get(body) ?? 1;
    if (holders > 1) return void this.bodies.set(body, holders - 1);
    this.bodies.delete(body);
    this.bodyBytes -= body.length;
  }

  private evictOldest(): void {
    const gone = this.entries.shift();
    if (!gone) return;
    for (const body of bodiesOf(gone)) this.release(body);
    // Only kept exchanges can be replayed, so an event none of whose exchanges is kept is forgotten.
    const counts = this.events.get(gone.eventId);
    if (counts && --counts.kept === 0) this.events.delete(gone.eventId);
  }
}

/** What the page and the log keep of a request whcli sent. */
export function sentRequest(request: { url: URL; rawPath?: string; method: string; headers: HeaderList; body: Uint8Array }): SentRequest {
  return {
    url: sentUrl(request.url.href, request.rawPath),
    method: request.method,
    rawPath: request.rawPath,
    headers: request.headers,
    // The same Buffer as the event's body when unchanged, so the log counts its bytes once.
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body),
  };
}

let lastSent: { href: string; rawPath?: string; url: string } | undefined;

/** The URL as sent, its path as on the request line; the last one is kept, since a listener's events share one. */
function sentUrl(href: string, rawPath: string | undefined): string {
  if (lastSent?.href !== href || lastSent.rawPath !== rawPath) lastSent = { href, rawPath, url: rawPath ? `${new URL(href).origin}${rawPath}` : href };
  return lastSent.url;
}
