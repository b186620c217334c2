import type { AccessKeyStore } from './access-keys.js';
import type { DeliveryReport, RelayEvent } from './protocol.js';

export interface ChannelRecord {
  id: string;
  /** sha256 of the listener token, hex. */
  tokenHash: string;
  createdAt: number;
  /** Id of the access key that created it, when the relay requires keys: only that key may claim it. */
  owner?: string;
  /** A named channel's name (its id is derived from the owner and this name). */
  name?: string;
}

export interface StoreLimits {
  /** Unacknowledged events a channel may hold before ingress answers 503. */
  maxPendingEvents: number;
  /** Unacknowledged body bytes a channel may hold before ingress answers 503. */
  maxPendingBytes: number;
  /** Events older than this are dropped, acknowledged or not. */
  retentionMs: number;
  /**
   * Bytes of acknowledged events a channel keeps for late listeners (oldest dropped first); they also
   * never number more than maxPendingEvents.
   */
  maxAckedBytes: number;
  /**
   * Bytes of unacknowledged events all channels together may hold before ingress answers 503: the
   * process-wide bound (memory and file stores also drop acknowledged history first to make room).
   */
  maxTotalBytes: number;
  /** Channels the store holds before channel creation answers 503; 0 for no cap. */
  maxChannels: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  maxPendingEvents: 10_000,
  maxPendingBytes: 256 * 1024 * 1024,
  retentionMs: 24 * 3_600_000,
  maxAckedBytes: 16 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxChannels: 100_000,
};

export type NewEvent = Omit<RelayEvent, 'seq'>;

export class ChannelFullError extends Error {
  override name = 'ChannelFullError';
}

/** The whole store is at a process-wide limit (bytes or channels): every channel is refused until room frees up. */
export class StoreFullError extends ChannelFullError {
  override name = 'StoreFullError';
}

/**
 * What an event costs to hold, in bytes: its body plus what travels with it. Headers count too, or
 * thousands of small-bodied events with 16 KiB of headers each would escape every byte limit.
 */
export function eventBytes(event: Omit<RelayEvent, 'seq'>): number {
  let size = event.body.length + event.path.length + event.query.length + event.method.length + event.id.length;
  for (const [name, value] of event.headers) size += name.length + value.length;
  return size;
}

/**
 * Where the relay keeps channels and events. Sequence numbers are per channel, start at 1 and grow
 * by one. An event stays until retention ends; "pending" means not yet acknowledged.
 */
export interface RelayStore {
  /** Stores a channel (a known id is left as it is); throws StoreFullError at maxChannels. */
  createChannel(channel: ChannelRecord): Promise<void>;
  getChannel(id: string): Promise<ChannelRecord | undefined>;
  /** Stores an event and assigns its seq; throws ChannelFullError when the channel is over its limits. */
  append(event: NewEvent): Promise<RelayEvent>;
  /** Events with seq > afterSeq, oldest first, at most `limit`. */
  readAfter(channel: string, afterSeq: number, limit: number): Promise<RelayEvent[]>;
  /** Records a listener's acknowledgement. */
  ack(channel: string, seq: number, report: DeliveryReport): Promise<void>;
  /** The highest seq such that it and every seq before it are acknowledged (0 when none). */
  ackedThrough(channel: string): Promise<number>;
  /** Counts for /metrics. */
  stats(): Promise<{ channels: number; pendingEvents: number; storedEvents: number; expired: number }>;
  close(): Promise<void>;
  /** Access keys, shared by every relay on this store; absent: the relay cannot require keys. */
  readonly keys?: AccessKeyStore;
  /** For stores shared by several relays: calls back when any of them stores an event. */
  onAppend?(listener: (channel: string) => void): () => void;
  /** Throws when the store cannot serve requests right now (for /healthz); absent: always up. */
  ping?(): Promise<void>;
  /** Channels an access key owns (for its cap); absent: no cap is enforced. */
  countChannels?(owner: string): Promise<number>;
  /** Channels an access key owns, oldest first (for `whcli channels`). */
  listChannels?(owner: string): Promise<ChannelRecord[]>;
  /** Deletes a channel and every event it holds (`whcli channels rm`); false when it did not exist. */
  deleteChannel?(id: string): Promise<boolean>;
  /** True for a channel deleted with deleteChannel lately (a day), for relays sharing this store. */
  wasDeleted?(id: string): Promise<boolean>;
  /** Marks channels as in use now (they have listeners), so idle expiry leaves them alone. */
  touchChannels?(ids: readonly string[]): Promise<void>;
  /**
   * Deletes channels with no event, acknowledgement or touch for `idleMs`, and everything they hold;
   * returns how many went. Absent: channels never expire.
   */
  expireIdleChannels?(idleMs: number): Promise<number>;
}
