import type { DeliveryReport, RelayEvent } from './protocol.js';
import type { RelayMetrics } from './metrics.js';
import { eventBytes, type RelayStore } from './store.js';
import { ChannelMembers } from './channel-members.js';

/** Unacknowledged events a listener may have in flight unless it asks for another window. */
export const DEFAULT_WINDOW = 256;

/** Largest batch of events sent as one message, in event bytes (a single larger event goes alone). */
export const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * Where a session's events go: a WebSocket, or a listener in the same process. An object rather than
 * callbacks, so a socket's state can be its own link instead of holding three closures.
 */
export interface ListenerLink {
  /** Sends events in order; several at once when the listener has room for them. */
  deliver(events: readonly RelayEvent[]): void;
  /**
   * Ends the listener's connection when its store fails mid-conversation: the listener reconnects
   * and resumes from what the store holds, so nothing is lost and the relay keeps running.
   */
  abort?(reason: string): void;
  /**
   * True while the link to the listener has more unsent bytes than it should: sending stops and
   * resumes when the hub is told (resume) that the link drained. A listener that never reads then
   * costs the relay a bounded buffer, not everything it is sent.
   */
  congested?(): boolean;
}

/** One connected listener on one channel, reached through its link. */
export class ListenerSession {
  /** Seqs sent and not yet acknowledged; none while nothing is (an idle relay holds thousands of sessions). */
  private unacked: Set<number> | undefined;
  pumping = false;
  pumpAgain = false;
  closed = false;
  /** Sending stopped because the link was congested, until resume(). */
  paused = false;

  constructor(
    readonly link: ListenerLink,
    readonly channel: string,
    /** The highest seq sent to this listener. */
    public sentSeq: number,
    readonly window: number,
  ) {}

  /** Events sent and not yet acknowledged. */
  get inflight(): number {
    return this.unacked?.size ?? 0;
  }

  /** Notes `seq` as sent. */
  hold(seq: number): void {
    (this.unacked ??= new Set()).add(seq);
  }

  /** Notes `seq` as acknowledged; false when it was not in flight. */
  release(seq: number): boolean {
    if (!this.unacked?.delete(seq)) return false;
    if (this.unacked.size === 0) this.unacked = undefined;
    return true;
  }
}

type ResultWaiter = (report: DeliveryReport | undefined) => void;

/**
 * Fans each channel's events out to its listeners, in order, with a bounded window of unacknowledged
 * events per listener, and tells ingress when a listener reports a result.
 */
export class ChannelHub {
  private readonly sessions = new ChannelMembers<ListenerSession>();
  private readonly waiters = new Map<string, ResultWaiter[]>();

  constructor(
    private readonly store: RelayStore,
    private readonly metrics: RelayMetrics,
  ) {}

  get listenerCount(): number {
    return this.sessions.size;
  }

  attach(session: ListenerSession): void {
    this.sessions.add(session.channel, session);
    this.pumpSafely(session);
  }

  detach(session: ListenerSession): void {
    session.closed = true;
    this.sessions.delete(session.channel, session);
  }

  /** The listener's link drained below its bound: send what was held back. */
  resume(session: ListenerSession): void {
    session.paused = false;
    if (!session.closed) this.pumpSafely(session);
  }

  /** Channels with at least one listener here. */
  get activeChannels(): string[] {
    return [...this.sessions.channels()];
  }

  /** A new event was stored on this channel. */
  notify(channel: string): void {
    for (const session of this.sessions.members(channel)) this.pumpSafely(session);
  }

  async acknowledge(session: ListenerSession, seq: number, report: DeliveryReport): Promise<void> {
    if (!session.release(seq)) return; // not ours, or acknowledged twice: nothing to do
    try {
      await this.store.ack(session.channel, seq, report);
    } catch (error) {
      session.hold(seq);
      this.fail(session, error);
      return;
    }
    if (!report.skipped) this.metrics.delivered += 1;
    // Only ingress answering with the handler's result waits: otherwise no key is built per ack.
    if (this.waiters.size > 0) this.answerWaiters(`${session.channel}:${seq}`, report);
    this.pumpSafely(session);
  }

  private answerWaiters(key: string, report: DeliveryReport): void {
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    this.waiters.delete(key);
    for (const resolve of waiting) resolve(report);
  }

  private pumpSafely(session: ListenerSession): void {
    this.pump(session).catch((error: unknown) => {
      session.pumping = false;
      this.fail(session, error);
    });
  }

  private fail(session: ListenerSession, error: unknown): void {
    this.detach(session);
    session.link.abort?.(`relay store unavailable: ${(error as Error).message ?? String(error)}`);
  }

  /** Answers every request still waiting for a report with "none" (the relay is shutting down). */
  stopWaiting(): void {
    const waiting = [...this.waiters.values()].flat();
    this.waiters.clear();
    for (const resolve of waiting) resolve(undefined);
  }

  /** Resolves with the first listener's report for an event, or undefined after `timeoutMs`. */
  waitForReport(channel: string, seq: number, timeoutMs: number): Promise<DeliveryReport | undefined> {
    const key = `${channel}:${seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(key)?.filter((w) => w !== done);
        if (list?.length) this.waiters.set(key, list);
        else this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      const done: ResultWaiter = (report) => {
        clearTimeout(timer);
        resolve(report);
      };
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), done]);
    });
  }

  /** Sends what the listener has room for; re-runs if notified meanwhile. */
  private async pump(session: ListenerSession): Promise<void> {
    if (session.pumping) {
      session.pumpAgain = true;
      return;
    }
    session.pumping = true;
    try {
      do {
        session.pumpAgain = false;
        for (;;) {
          const room = session.window - session.inflight;
          if (room <= 0 || session.closed || this.holdBack(session)) break;
          const events = await this.store.readAfter(session.channel, session.sentSeq, room);
          if (events.length === 0 || session.closed) break;
          if (!this.sendBatches(session, events)) break;
        }
      } while (session.pumpAgain && !session.closed);
    } finally {
      session.pumping = false;
    }
  }

  /**
   * Sends `events` in messages of at most MAX_BATCH_BYTES, stopping when the link is congested;
   * false when it stopped early (what was not sent is read again once the link drains).
   */
  private sendBatches(session: ListenerSession, events: readonly RelayEvent[]): boolean {
    let start = 0;
    // Each event's size is computed once: it walks the event's headers.
    let size = events.length > 0 ? eventBytes(events[0]!) : 0;
    while (start < events.length) {
      if (session.closed || this.holdBack(session)) return false;
      let end = start;
      let bytes = 0;
      do {
        bytes += size;
        end += 1;
        size = end < events.length ? eventBytes(events[end]!) : 0;
      } while (end < events.length && bytes + size <= MAX_BATCH_BYTES);
      this.send(session, events.slice(start, end));
      start = end;
    }
    return true;
  }

  /** True when the link is congested; counts each time sending to a listener is paused. */
  private holdBack(session: ListenerSession): boolean {
    if (!session.link.congested?.()) return false;
    if (!session.paused) this.metrics.listenerPauses += 1;
    session.paused = true;
    return true;
  }

  private send(session: ListenerSession, events: readonly RelayEvent[]): void {
    for (const event of events) session.hold(event.seq);
    session.sentSeq = events[events.length - 1]!.seq;
    session.link.deliver(events);
  }
}
