import { ChannelFullError, DEFAULT_LIMITS, type ChannelRecord, type StoreLimits } from '../../store.js';

/** Where one stored event lies in the log: the index keeps this, never the event itself. */
export interface EventEntry {
  seq: number;
  offset: number;
  /** Bytes of the whole record. */
  length: number;
  receivedAt: number;
  bodyBytes: number;
}

export interface ChannelState {
  record: ChannelRecord;
  /** Ordered by seq; a seq lost to damage leaves a hole. */
  entries: EventEntry[];
  nextSeq: number;
  ackedThrough: number;
  /** Acknowledged seqs above ackedThrough (acks may arrive out of order). */
  ackedAbove: Set<number>;
  pendingCount: number;
  pendingBytes: number;
  /** Appends waiting for their write: counted against the limits before they are stored. */
  reservedCount: number;
  reservedBytes: number;
}

/** The file store's memory: per channel, the seq counters and where each event's record is. */
export class ChannelIndex {
  readonly channels = new Map<string, ChannelState>();
  private readonly limits: StoreLimits;
  expired = 0;

  constructor(
    limits: Partial<StoreLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  add(record: ChannelRecord): void {
    if (this.channels.has(record.id)) return;
    this.channels.set(record.id, {
      record,
      entries: [],
      nextSeq: 1,
      ackedThrough: 0,
      ackedAbove: new Set(),
      pendingCount: 0,
      pendingBytes: 0,
      reservedCount: 0,
      reservedBytes: 0,
    });
  }

  /** Holds room for an event of `bodyBytes` until it is stored or fails; throws ChannelFullError. */
  reserve(channel: string, bodyBytes: number): ChannelState {
    const state = this.channels.get(channel);
    if (!state) throw new Error(`unknown channel ${channel}`);
    this.expire(state);
    const count = state.pendingCount + state.reservedCount;
    if (count >= this.limits.maxPendingEvents || state.pendingBytes + state.reservedBytes + bodyBytes > this.limits.maxPendingBytes) {
      throw new ChannelFullError(`channel ${channel} holds its maximum of unacknowledged events`);
    }
    state.reservedCount += 1;
    state.reservedBytes += bodyBytes;
    return state;
  }

  release(state: ChannelState, bodyBytes: number): void {
    state.reservedCount -= 1;
    state.reservedBytes -= bodyBytes;
  }

  /** Makes a written event visible; entries arrive in seq order. */
  commit(state: ChannelState, entry: EventEntry): void {
    state.entries.push(entry);
    state.pendingCount += 1;
    state.pendingBytes += entry.bodyBytes;
  }

  /** Puts back an event read from the log (counters are settled once the whole log is read). */
  restore(channel: string, entry: EventEntry): void {
    const state = this.channels.get(channel);
    if (!state || entry.seq < state.nextSeq) return;
    state.entries.push(entry);
    state.nextSeq = entry.seq + 1;
  }

  restoreCursor(channel: string, nextSeq: number, ackedThrough: number): void {
    const state = this.channels.get(channel);
    if (!state) return;
    state.nextSeq = Math.max(state.nextSeq, nextSeq);
    state.ackedThrough = Math.max(state.ackedThrough, ackedThrough);
  }

  /**
   * After a replay: seqs with no record (lost to damage) count as done, so acknowledgements can
   * move past them, and the pending counters are recomputed. Returns how many seqs were lost.
   */
  settle(): number {
    let lost = 0;
    for (const state of this.channels.values()) {
      const present = new Set(state.entries.map((e) => e.seq));
      for (let seq = state.ackedThrough + 1; seq < state.nextSeq; seq++) {
        if (!present.has(seq) && !state.ackedAbove.has(seq)) {
          state.ackedAbove.add(seq);
          lost += 1;
        }
      }
      this.advance(state);
      state.pendingCount = 0;
      state.pendingBytes = 0;
      for (const entry of state.entries) {
        if (this.isPending(state, entry.seq)) {
          state.pendingCount += 1;
          state.pendingBytes += entry.bodyBytes;
        }
      }
    }
    return lost;
  }

  /** Records an acknowledgement; false when it changes nothing (unknown, or acknowledged before). */
  ack(channel: string, seq: number): boolean {
    const state = this.channels.get(channel);
    if (!state || !this.isPending(state, seq) || seq >= state.nextSeq) return false;
    state.ackedAbove.add(seq);
    const entry = this.find(state, seq);
    if (entry) {
      state.pendingCount -= 1;
      state.pendingBytes -= entry.bodyBytes;
    }
    this.advance(state);
    // Acknowledged events are kept for late listeners, but never beyond the pending cap.
    while (state.entries.length > this.limits.maxPendingEvents && state.entries[0]!.seq <= state.ackedThrough) state.entries.shift();
    return true;
  }

  /** Drops an event whose record is gone: it counts as done and is never read again. */
  forget(channel: string, seq: number): void {
    this.ack(channel, seq);
    const state = this.channels.get(channel);
    const at = state ? this.firstAbove(state.entries, seq - 1) : -1;
    if (state?.entries[at]?.seq === seq) state.entries.splice(at, 1);
  }

  /** Entries with seq > afterSeq, oldest first, at most `limit`. */
  after(channel: string, afterSeq: number, limit: number): EventEntry[] {
    const state = this.channels.get(channel);
    if (!state) return [];
    this.expire(state);
    const start = this.firstAbove(state.entries, afterSeq);
    return state.entries.slice(start, start + limit);
  }

  stats() {
    let pendingEvents = 0;
    let storedEvents = 0;
    for (const state of this.channels.values()) {
      this.expire(state);
      pendingEvents += state.pendingCount;
      storedEvents += state.entries.length;
    }
    return { channels: this.channels.size, pendingEvents, storedEvents, expired: this.expired };
  }

  /** Drops events past retention; unacknowledged ones count as expired. */
  expire(state: ChannelState): void {
    const cutoff = this.now() - this.limits.retentionMs;
    while (state.entries.length && state.entries[0]!.receivedAt < cutoff) {
      const entry = state.entries.shift()!;
      if (this.isPending(state, entry.seq)) {
        this.expired += 1;
        state.pendingCount -= 1;
        state.pendingBytes -= entry.bodyBytes;
      }
      state.ackedAbove.delete(entry.seq);
      if (entry.seq > state.ackedThrough) state.ackedThrough = entry.seq;
    }
    this.advance(state);
  }

  private isPending(state: ChannelState, seq: number): boolean {
    return seq > state.ackedThrough && !state.ackedAbove.has(seq);
  }

  /** Moves ackedThrough over every acknowledged seq right above it. */
  private advance(state: ChannelState): void {
    while (state.ackedAbove.delete(state.ackedThrough + 1)) state.ackedThrough += 1;
  }

  private find(state: ChannelState, seq: number): EventEntry | undefined {
    const entry = state.entries[this.firstAbove(state.entries, seq - 1)];
    return entry?.seq === seq ? entry : undefined;
  }

  /** Index of the first entry with seq > afterSeq (binary search: entries may have holes). */
  private firstAbove(entries: readonly EventEntry[], afterSeq: number): number {
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entries[middle]!.seq <= afterSeq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
