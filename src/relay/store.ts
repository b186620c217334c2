import type { DeliveryReport, RelayEvent } from './protocol.js';

export interface ChannelRecord {
  id: string;
  /** sha256 of the listener token, hex. */
  tokenHash: string;
  createdAt: number;
}

export interface StoreLimits {
  /** Unacknowledged events a channel may hold before ingress answers 503. */
  maxPendingEvents: number;
  /** Unacknowledged body bytes a channel may hold before ingress answers 503. */
  maxPendingBytes: number;
  /** Events older than this are dropped, acknowledged or not. */
  retentionMs: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  maxPendingEvents: 10_000,
  maxPendingBytes: 256 * 1024 * 1024,
  retentionMs: 24 * 3_600_000,
};

export type NewEvent = Omit<RelayEvent, 'seq'>;

export class ChannelFullError extends Error {
  override name = 'ChannelFullError';
}

/**
 * Where the relay keeps channels and events. Sequence numbers are per channel, start at 1 and grow
 * by one. An event stays until retention ends; "pending" means not yet acknowledged.
 */
export interface RelayStore {
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
  /** For stores shared by several relays: calls back when any of them stores an event. */
  onAppend?(listener: (channel: string) => void): () => void;
}
