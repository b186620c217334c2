import type { DeliveryReport } from '../relay/protocol.js';
import type { LocalSession, RelayServer } from '../relay/server.js';
import { AckTracker, type LinkCallbacks, type RelayLink } from './relay-link.js';

/** A listener attached straight to the relay embedded in the same process: no socket, no framing. */
export class LocalLink implements RelayLink {
  private session: LocalSession | undefined;
  /** Acks made before attachLocal resolved (the first events come during the attach itself). */
  private early: [number, DeliveryReport][] = [];
  private stopped = false;
  private readonly acked = new AckTracker();

  constructor(
    private readonly relay: RelayServer,
    private readonly channel: string,
    private readonly window: number,
    private readonly callbacks: LinkCallbacks,
  ) {}

  start(): void {
    this.stopped = false;
    this.callbacks.onStatus({ type: 'connecting', attempt: 1 });
    void this.relay
      .attachLocal(this.channel, { resume: this.acked.through, window: this.window, deliver: (events) => events.forEach((event) => this.callbacks.onEvent(event)) })
      .then((session) => {
        if (this.stopped) return session.detach();
        this.session = session;
        for (const [seq, report] of this.early.splice(0)) session.ack(seq, report);
        this.callbacks.onStatus({ type: 'ready', url: `${this.relay.url}/c/${this.channel}`, resumeFrom: session.resumeFrom });
      });
  }

  stop(): void {
    this.stopped = true;
    this.session?.detach();
    this.session = undefined;
  }

  ack(seq: number, report: DeliveryReport): void {
    this.acked.mark(seq);
    if (this.session) this.session.ack(seq, report);
    else this.early.push([seq, report]);
  }

  isAcked(seq: number): boolean {
    return this.acked.has(seq);
  }
}
