import type { DeliveryReport, RelayEvent } from '../relay/protocol.js';
import type { RefusedEvent } from './validate-event.js';

export type ConnectionStatus =
  | { type: 'connecting'; attempt: number }
  | { type: 'ready'; url: string; resumeFrom: number }
  | { type: 'disconnected'; reason: string; retryInMs: number }
  | { type: 'rejected'; status: number; reason: string };

export interface LinkCallbacks {
  onEvent: (event: RelayEvent) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** An event whose fields are not what the protocol says: acknowledge it as refused, never forward it. */
  onRefused?: (refused: RefusedEvent) => void;
}

/** How a listener reaches its relay: a WebSocket to a remote one, or a direct call to its own. */
export interface RelayLink {
  start(): void;
  stop(): void;
  /** Reports a result; the relay resends the event if the report is lost. */
  ack(seq: number, report: DeliveryReport): void;
  /** True when this seq was acknowledged already (a redelivery after a reconnect). */
  isAcked(seq: number): boolean;
  /** Stops reading from the relay (TCP pushes back) while the listener holds too many bytes. */
  pause?(): void;
  resume?(): void;
}

/** The seqs a listener has acknowledged: a contiguous run plus any acknowledged out of order. */
export class AckTracker {
  /** Highest seq acknowledged with every seq before it: the resume point. */
  through: number | undefined;
  private readonly above = new Set<number>();
  /** Seq ranges the relay passed over (events gone from its store): they will not come, so they count as done. */
  private readonly skipped: [number, number][] = [];

  /** The relay's resume point, where counting starts when nothing was acknowledged yet. */
  begin(resumeFrom: number): void {
    this.through ??= resumeFrom;
  }

  mark(seq: number): void {
    if (this.through === undefined) this.through = seq - 1;
    if (seq <= this.through) return;
    this.above.add(seq);
    this.advance();
  }

  /**
   * Seqs from..to (inclusive) that the relay, which sends in order, went past without sending.
   * Without this one gap (events expired while the listener was away) would hold the resume point
   * back for good, and every later ack would pile up in `above`.
   */
  skip(from: number, to: number): void {
    if (this.through === undefined || to <= this.through) return;
    this.skipped.push([Math.max(from, this.through + 1), to]);
    this.advance();
  }

  has(seq: number): boolean {
    return (this.through !== undefined && seq <= this.through) || this.above.has(seq);
  }

  private advance(): void {
    for (;;) {
      const next = this.through! + 1;
      if (this.above.delete(next)) {
        this.through = next;
        continue;
      }
      const gap = this.skipped.findIndex(([from]) => from === next);
      if (gap < 0) return;
      this.through = this.skipped[gap]![1];
      this.skipped.splice(gap, 1);
    }
  }
}
