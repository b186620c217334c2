import { ChannelFullError, DEFAULT_LIMITS, StoreFullError, type ChannelRecord, type StoreLimits } from '../../store.js';

/** Where one stored event lies in the log: the index keeps this, never the event itself. */
export interface EventEntry {
  seq: number;
  offset: number;
  /** Bytes of the whole record. */
  length: number;
  receivedAt: number;
  /** What the event costs against the limits: eventBytes() (body, headers and the rest). */
  bytes: number;
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
  /** Bytes of every entry, acknowledged or not. */
  heldBytes: number;
  /** Last event, acknowledgement or touch: idle expiry starts from here. */
  lastActive: number;
  /** Appends waiting for their write: counted against the limits before they are stored. */
  reservedCount: number;
  reservedBytes: number;
}

/** The file store's memory: per channel, the seq counters and where each event's record is. */
export class ChannelIndex {
  readonly channels = new Map<string, ChannelState>();
  private readonly limits: StoreLimits;
  expired = 0;
  /** Sums over channels: pending (what maxTotalBytes bounds), reserved by appends in flight, held. */
  private totalPending = 0;
  private totalReserved = 0;
  private totalHeld = 0;

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
      heldBytes: 0,
      lastActive: this.now(),
      reservedCount: 0,
      reservedBytes: 0,
    });
  }

  /** Throws StoreFullError when no channel may be added (maxChannels). */
  checkChannelRoom(): void {
    if (this.limits.maxChannels > 0 && this.channels.size >= this.limits.maxChannels) {
      throw new StoreFullError(`the relay holds its maximum of ${this.limits.maxChannels} channels`);
    }
  }

  /** Marks channels as in use now, so idle expiry leaves them alone. */
  touch(ids: readonly string[]): void {
    const now = this.now();
    for (const id of ids) {
      const state = this.channels.get(id);
      if (state) state.lastActive = now;
    }
  }

  /** Removes channels idle for `idleMs` (none with an append in flight); returns their ids. */
  expireIdle(idleMs: number): string[] {
    const cutoff = this.now() - idleMs;
    const removed: string[] = [];
    for (const [id, state] of this.channels) {
      if (state.lastActive >= cutoff || state.reservedCount > 0) continue;
      this.remove(id);
      removed.push(id);
    }
    return removed;
  }

  /** Forgets a channel and everything it holds. */
  remove(id: string): void {
    const state = this.channels.get(id);
    if (!state) return;
    this.totalHeld -= state.heldBytes;
    this.totalPending -= state.pendingBytes;
    this.channels.delete(id);
  }

  /**
   * Holds room for an event of `bytes` until it is stored or fails; throws ChannelFullError (the
   * channel's limits) or StoreFullError (maxTotalBytes over all channels).
   */
  reserve(channel: string, bytes: number): ChannelState {
    const state = this.channels.get(channel);
    if (!state) throw new Error(`unknown channel ${channel}`);
    this.expire(state);
    const count = state.pendingCount + state.reservedCount;
    if (count >= this.limits.maxPendingEvents || state.pendingBytes + state.reservedBytes + bytes > this.limits.maxPendingBytes) {
      throw new ChannelFullError(`channel ${channel} holds its maximum of unacknowledged events`);
    }
    if (this.totalPending + this.totalReserved + bytes > this.limits.maxTotalBytes) {
      throw new StoreFullError(`the relay holds its maximum of ${this.limits.maxTotalBytes} bytes of unacknowledged events`);
    }
    // Acknowledged history is kept only while there is room: new events come first.
    const over = this.totalHeld + this.totalReserved + bytes - this.limits.maxTotalBytes;
    if (over > 0) this.dropAckedHistory(over);
    state.reservedCount += 1;
    state.reservedBytes += bytes;
    this.totalReserved += bytes;
    return state;
  }

  release(state: ChannelState, bytes: number): void {
    state.reservedCount -= 1;
    state.reservedBytes -= bytes;
    this.totalReserved -= bytes;
  }

  /** Makes a written event visible; entries arrive in seq order. */
  commit(state: ChannelState, entry: EventEntry): void {
    // Written while its channel was deleted: it goes with the channel, as the drop record follows it.
    if (this.channels.get(state.record.id) !== state) return;
    state.entries.push(entry);
    state.heldBytes += entry.bytes;
    this.totalHeld += entry.bytes;
    state.pendingCount += 1;
    this.addPending(state, entry.bytes);
    state.lastActive = this.now();
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
      state.heldBytes = 0;
      for (const entry of state.entries) {
        state.heldBytes += entry.bytes;
        if (this.isPending(state, entry.seq)) {
          state.pendingCount += 1;
          state.pendingBytes += entry.bytes;
        }
      }
    }
    this.totalPending = 0;
    this.totalHeld = 0;
    for (const state of this.channels.values()) {
      this.totalPending += state.pendingBytes;
      this.totalHeld += state.heldBytes;
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
      this.addPending(state, -entry.bytes);
    }
    state.lastActive = this.now();
    this.advance(state);
    // Acknowledged events are kept for late listeners, within a count and a byte budget per channel.
    while (
      state.entries.length &&
      state.entries[0]!.seq <= state.ackedThrough &&
      (state.entries.length > this.limits.maxPendingEvents || state.heldBytes - state.pendingBytes > this.limits.maxAckedBytes)
    ) {
      this.shift(state);
    }
    return true;
  }

  /** After a compaction: the entries that moved to the new log, the rest forgotten. */
  replaceEntries(state: ChannelState, entries: EventEntry[]): void {
    const held = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    this.totalHeld += held - state.heldBytes;
    state.heldBytes = held;
    state.entries = entries;
  }

  /** Drops an event whose record is gone: it counts as done and is never read again. */
  forget(channel: string, seq: number): void {
    this.ack(channel, seq);
    const state = this.channels.get(channel);
    const at = state ? this.firstAbove(state.entries, seq - 1) : -1;
    if (state?.entries[at]?.seq !== seq) return;
    const [entry] = state.entries.splice(at, 1);
    state.heldBytes -= entry!.bytes;
    this.totalHeld -= entry!.bytes;
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
      const entry = this.shift(state);
      if (this.isPending(state, entry.seq)) {
        this.expired += 1;
        state.pendingCount -= 1;
        this.addPending(state, -entry.bytes);
      }
      state.ackedAbove.delete(entry.seq);
      if (entry.seq > state.ackedThrough) state.ackedThrough = entry.seq;
    }
    this.advance(state);
  }

  private addPending(state: ChannelState, delta: number): void {
    state.pendingBytes += delta;
    this.totalPending += delta;
  }

  /** Drops a channel's oldest entry (its pending counters are the caller's). */
  private shift(state: ChannelState): EventEntry {
    const entry = state.entries.shift()!;
    state.heldBytes -= entry.bytes;
    this.totalHeld -= entry.bytes;
    return entry;
  }

  /** Frees at least `bytes` of acknowledged history across channels, oldest first within each, if it can. */
  private dropAckedHistory(bytes: number): void {
    let freed = 0;
    for (const state of this.channels.values()) {
      while (freed < bytes && state.entries.length && state.entries[0]!.seq <= state.ackedThrough) freed += this.shift(state).bytes;
      if (freed >= bytes) return;
    }
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
