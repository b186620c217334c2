import type { DeliveryReport, RelayEvent } from '../protocol.js';
import { MemoryKeyStore } from './memory-key-store.js';
import {
  ChannelFullError,
  DEFAULT_LIMITS,
  eventBytes,
  StoreFullError,
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
  /**
   * Acknowledged seqs above ackedThrough (acks may arrive out of order); none while there are none,
   * as in nearly every channel: an idle relay holds thousands.
   */
  ackedAbove: Set<number> | undefined;
  pendingCount: number;
  /** eventBytes() of the unacknowledged events. */
  pendingBytes: number;
  /** eventBytes() of everything in `events`, acknowledged or not. */
  heldBytes: number;
  /** Last event, acknowledgement or touch, in ms of `now()`: idle expiry starts from here. */
  lastActive: number;
}

/** Keeps everything in process memory: for the relay embedded in `whcli listen`, and tests. */
export class MemoryStore implements RelayStore {
  private readonly channels = new Map<string, ChannelLog>();
  readonly keys = new MemoryKeyStore();
  private readonly limits: StoreLimits;
  private expired = 0;
  /** Sum of every channel's heldBytes. */
  private totalHeld = 0;
  /** Sum of every channel's pendingBytes: what maxTotalBytes bounds. */
  private totalPending = 0;
  private readonly now: () => number;

  constructor(limits: Partial<StoreLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.now = now;
  }

  async createChannel(record: ChannelRecord): Promise<void> {
    if (this.channels.has(record.id)) return;
    if (!this.restoring && this.limits.maxChannels > 0 && this.channels.size >= this.limits.maxChannels) {
      throw new StoreFullError(`the relay holds its maximum of ${this.limits.maxChannels} channels`);
    }
    this.channels.set(record.id, {
      record,
      events: [],
      nextSeq: 1,
      ackedThrough: 0,
      ackedAbove: undefined,
      pendingCount: 0,
      pendingBytes: 0,
      heldBytes: 0,
      lastActive: this.now(),
    });
  }

  async countChannels(owner: string): Promise<number> {
    return (await this.listChannels(owner)).length;
  }

  async listChannels(owner: string): Promise<ChannelRecord[]> {
    return [...this.channels.values()].map((log) => log.record).filter((r) => r.owner === owner).sort((a, b) => a.createdAt - b.createdAt);
  }

  async getChannel(id: string): Promise<ChannelRecord | undefined> {
    return this.channels.get(id)?.record;
  }

  async append(event: NewEvent): Promise<RelayEvent> {
    const log = this.log(event.channel);
    this.expire(log);
    const size = eventBytes(event);
    if (log.pendingCount >= this.limits.maxPendingEvents || log.pendingBytes + size > this.limits.maxPendingBytes) {
      throw new ChannelFullError(`channel ${event.channel} holds its maximum of unacknowledged events`);
    }
    if (this.totalPending + size > this.limits.maxTotalBytes) {
      throw new StoreFullError(`the relay holds its maximum of ${this.limits.maxTotalBytes} bytes of unacknowledged events`);
    }
    // Acknowledged history is kept only while there is room: new events come first.
    if (this.totalHeld + size > this.limits.maxTotalBytes) this.dropAckedHistory(this.totalHeld + size - this.limits.maxTotalBytes);
    const stored: RelayEvent = { ...event, seq: log.nextSeq++ };
    this.push(log, stored, size);
    log.lastActive = this.now();
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
    if (!log || seq <= log.ackedThrough || seq >= log.nextSeq || log.ackedAbove?.has(seq)) return;
    const event = this.find(log, seq);
    log.pendingCount -= 1;
    this.addPending(log, -(event ? eventBytes(event) : 0));
    log.lastActive = this.now();
    if (seq === log.ackedThrough + 1) log.ackedThrough = seq;
    else (log.ackedAbove ??= new Set()).add(seq);
    this.advanceAcked(log);
    // Acknowledged events are kept for late listeners, within a count and a byte budget per channel.
    while (
      log.events.length &&
      log.events[0]!.seq <= log.ackedThrough &&
      (log.events.length > this.limits.maxPendingEvents || log.heldBytes - log.pendingBytes > this.limits.maxAckedBytes)
    ) {
      this.shift(log);
    }
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
    this.totalHeld = 0;
    this.totalPending = 0;
  }

  async touchChannels(ids: readonly string[]): Promise<void> {
    const now = this.now();
    for (const id of ids) {
      const log = this.channels.get(id);
      if (log) log.lastActive = now;
    }
  }

  async expireIdleChannels(idleMs: number): Promise<number> {
    const cutoff = this.now() - idleMs;
    let removed = 0;
    for (const [id, log] of this.channels) {
      if (log.lastActive >= cutoff) continue;
      this.remove(id);
      removed += 1;
    }
    return removed;
  }

  async deleteChannel(id: string): Promise<boolean> {
    return this.remove(id);
  }

  private remove(id: string): boolean {
    const log = this.channels.get(id);
    if (!log) return false;
    this.totalHeld -= log.heldBytes;
    this.totalPending -= log.pendingBytes;
    this.channels.delete(id);
    return true;
  }

  /** Bytes held across channels, acknowledged or not (for tests and metrics). */
  get heldBytes(): number {
    return this.totalHeld;
  }

  /**
   * True while a persisting store puts back what it had stored: channels it already holds are kept
   * even past maxChannels (a lowered cap must not stop a relay from starting).
   */
  protected get restoring(): boolean {
    return false;
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
    if (log.events.length && event.seq !== log.nextSeq) while (log.events.length) this.shift(log); // a gap: keep the order contiguous
    const size = eventBytes(event);
    if (event.seq > log.ackedThrough) {
      log.pendingCount += 1;
      this.addPending(log, size);
    }
    log.events.push(event);
    log.heldBytes += size;
    this.totalHeld += size;
    log.nextSeq = event.seq + 1;
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

  private push(log: ChannelLog, event: RelayEvent, size: number): void {
    log.events.push(event);
    log.heldBytes += size;
    this.totalHeld += size;
    log.pendingCount += 1;
    this.addPending(log, size);
  }

  private addPending(log: ChannelLog, delta: number): void {
    log.pendingBytes += delta;
    this.totalPending += delta;
  }

  /** Drops a channel's oldest event from memory (its pending counters are the caller's). */
  private shift(log: ChannelLog): RelayEvent {
    const event = log.events.shift()!;
    const size = eventBytes(event);
    log.heldBytes -= size;
    this.totalHeld -= size;
    return event;
  }

  /** Frees at least `bytes` of acknowledged history across channels, oldest first within each, if it can. */
  private dropAckedHistory(bytes: number): void {
    let freed = 0;
    for (const log of this.channels.values()) {
      while (freed < bytes && log.events.length && log.events[0]!.seq <= log.ackedThrough) freed += eventBytes(this.shift(log));
      if (freed >= bytes) return;
    }
  }

  private find(log: ChannelLog, seq: number): RelayEvent | undefined {
    const first = log.events[0]?.seq;
    return first === undefined ? undefined : log.events[seq - first];
  }

  /** Drops events past retention; unacknowledged ones count as expired. */
  private expire(log: ChannelLog): void {
    const cutoff = this.now() - this.limits.retentionMs;
    while (log.events.length && log.events[0]!.receivedAt < cutoff) {
      const event = this.shift(log);
      if (event.seq > log.ackedThrough && !log.ackedAbove?.has(event.seq)) {
        this.expired += 1;
        log.pendingCount -= 1;
        this.addPending(log, -eventBytes(event));
      }
      log.ackedAbove?.delete(event.seq);
      if (event.seq > log.ackedThrough) log.ackedThrough = event.seq;
    }
    // Events acknowledged out of order right after the expired ones are now contiguous too.
    this.advanceAcked(log);
  }

  /** Moves ackedThrough over the out-of-order acks that now follow it; drops the set once empty. */
  private advanceAcked(log: ChannelLog): void {
    if (!log.ackedAbove) return;
    while (log.ackedAbove.delete(log.ackedThrough + 1)) log.ackedThrough += 1;
    if (log.ackedAbove.size === 0) log.ackedAbove = undefined;
  }
}
