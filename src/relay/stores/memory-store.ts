import type { DeliveryReport, RelayEvent } from '../protocol.js';
import {
  ChannelFullError,
  DEFAULT_LIMITS,
  type ChannelRecord,
  type NewEvent,
  type RelayStore,
  type StoreLimits,
} from '../store.js';

export interface ChannelLog {
  record: ChannelRecord;
  /** Ordered by seq, contiguous: events[i].seq === events[0].seq + i. */
  events: RelayEvent[];
  nextSeq: number;
  ackedThrough: number;
  /** Acknowledged seqs above ackedThrough (acks may arrive out of order). */
  ackedAbove: Set<number>;
  pendingCount: number;
  pendingBytes: number;
}

/** Keeps everything in process memory: for the relay embedded in `whcli listen`, and tests. */
export class MemoryStore implements RelayStore {
  private readonly channels = new Map<string, ChannelLog>();
  private readonly limits: StoreLimits;
  private expired = 0;
  private readonly now: () => number;

  constructor(limits: Partial<StoreLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.now = now;
  }

  async createChannel(record: ChannelRecord): Promise<void> {
    if (this.channels.has(record.id)) return;
    this.channels.set(record.id, {
      record,
      events: [],
      nextSeq: 1,
      ackedThrough: 0,
      ackedAbove: new Set(),
      pendingCount: 0,
      pendingBytes: 0,
    });
  }

  async getChannel(id: string): Promise<ChannelRecord | undefined> {
    return this.channels.get(id)?.record;
  }

  async append(event: NewEvent): Promise<RelayEvent> {
    const log = this.log(event.channel);
    this.expire(log);
    if (log.pendingCount >= this.limits.maxPendingEvents || log.pendingBytes + event.body.length > this.limits.maxPendingBytes) {
      throw new ChannelFullError(`channel ${event.channel} holds its maximum of unacknowledged events`);
    }
    const stored: RelayEvent = { ...event, seq: log.nextSeq++ };
    log.events.push(stored);
    log.pendingCount += 1;
    log.pendingBytes += stored.body.length;
    return stored;
  }

  async readAfter(channel: string, afterSeq: number, limit: number): Promise<RelayEvent[]> {
    const log = this.channels.get(channel);
    if (!log || log.events.length === 0) return [];
    const first = log.events[0]!.seq;
    const start = Math.max(0, afterSeq + 1 - first);
    return log.events.slice(start, start + limit);
  }

  async ack(channel: string, seq: number, _report: DeliveryReport): Promise<void> {
    const log = this.channels.get(channel);
    if (!log || seq <= log.ackedThrough || seq >= log.nextSeq || log.ackedAbove.has(seq)) return;
    const event = this.find(log, seq);
    log.ackedAbove.add(seq);
    log.pendingCount -= 1;
    log.pendingBytes -= event?.body.length ?? 0;
    while (log.ackedAbove.delete(log.ackedThrough + 1)) log.ackedThrough += 1;
    // Acknowledged events are kept for late listeners, but never beyond the pending cap.
    while (log.events.length > this.limits.maxPendingEvents && log.events[0]!.seq <= log.ackedThrough) log.events.shift();
  }

  async ackedThrough(channel: string): Promise<number> {
    return this.channels.get(channel)?.ackedThrough ?? 0;
  }

  async stats() {
    let pendingEvents = 0;
    let storedEvents = 0;
    for (const log of this.channels.values()) {
      this.expire(log);
      pendingEvents += log.pendingCount;
      storedEvents += log.events.length;
    }
    return { channels: this.channels.size, pendingEvents, storedEvents, expired: this.expired };
  }

  async close(): Promise<void> {
    this.channels.clear();
  }

  /** Every channel's state, for a store that persists it. */
  protected snapshot(): readonly ChannelLog[] {
    for (const log of this.channels.values()) this.expire(log);
    return [...this.channels.values()];
  }

  /** Puts back a stored event as it was (its seq included), when a log is replayed. */
  protected restoreEvent(event: RelayEvent): void {
    const log = this.channels.get(event.channel);
    if (!log || event.seq < log.nextSeq) return;
    if (log.events.length && event.seq !== log.nextSeq) log.events.length = 0; // a gap: keep the order contiguous
    log.events.push(event);
    log.nextSeq = event.seq + 1;
    if (event.seq > log.ackedThrough) {
      log.pendingCount += 1;
      log.pendingBytes += event.body.length;
    }
  }

  /** Restores a channel's counters written by compaction. */
  protected restoreCursor(channel: string, nextSeq: number, ackedThrough: number): void {
    const log = this.channels.get(channel);
    if (!log) return;
    log.nextSeq = Math.max(log.nextSeq, nextSeq);
    log.ackedThrough = Math.max(log.ackedThrough, ackedThrough);
  }

  private log(channel: string): ChannelLog {
    const log = this.channels.get(channel);
    if (!log) throw new Error(`unknown channel ${channel}`);
    return log;
  }

  private find(log: ChannelLog, seq: number): RelayEvent | undefined {
    const first = log.events[0]?.seq;
    return first === undefined ? undefined : log.events[seq - first];
  }

  /** Drops events past retention; unacknowledged ones count as expired. */
  private expire(log: ChannelLog): void {
    const cutoff = this.now() - this.limits.retentionMs;
    while (log.events.length && log.events[0]!.receivedAt < cutoff) {
      const event = log.events.shift()!;
      if (event.seq > log.ackedThrough && !log.ackedAbove.has(event.seq)) {
        this.expired += 1;
        log.pendingCount -= 1;
        log.pendingBytes -= event.body.length;
      }
      log.ackedAbove.delete(event.seq);
      if (event.seq > log.ackedThrough) log.ackedThrough = event.seq;
    }
    // Events acknowledged out of order right after the expired ones are now contiguous too.
    while (log.ackedAbove.delete(log.ackedThrough + 1)) log.ackedThrough += 1;
  }
}
