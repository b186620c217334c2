import type { DeliveryReport, RelayEvent } from '../relay/protocol.js';

export type ConnectionStatus =
  | { type: 'connecting'; attempt: number }
  | { type: 'ready'; url: string; resumeFrom: number }
  | { type: 'disconnected'; reason: string; retryInMs: number }
  | { type: 'rejected'; status: number; reason: string };

export interface LinkCallbacks {
  onEvent: (event: RelayEvent) => void;
  onStatus: (status: ConnectionStatus) => void;
}

/** How a listener reaches its relay: a WebSocket to a remote one, or a direct call to its own. */
export interface RelayLink {
  start(): void;
  stop(): void;
  /** Reports a result; the relay resends the event if the report is lost. */
  ack(seq: number, report: DeliveryReport): void;
  /** True when this seq was acknowledged already (a redelivery after a reconnect). */
  isAcked(seq: number): boolean;
}

/** The seqs a listener has acknowledged: a contiguous run plus any acknowledged out of order. */
export class AckTracker {
  /** Highest seq acknowledged with every seq before it: the resume point. */
  through: number | undefined;
  private readonly above = new Set<number>();

  mark(seq: number): void {
    if (this.through === undefined) this.through = seq - 1;
    if (seq <= this.through) return;
    this.above.add(seq);
    while (this.above.delete(this.through + 1)) this.through += 1;
  }

  has(seq: number): boolean {
    return (this.through !== undefined && seq <= this.through) || this.above.has(seq);
  }
}
