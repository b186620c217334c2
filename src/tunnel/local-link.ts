import type { DeliveryReport } from '../relay/protocol.js';
import type { LocalSession, RelayServer } from '../relay/server.js';
import { AckTracker, type LinkCallbacks, type RelayLink } from './relay-link.js';

/** A listener attached straight to the relay embedded in the same process: no socket, no framing. */
export class LocalLink implements RelayLink {
  private session: LocalSession | undefined;
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
    this.session?.ack(seq, report);
  }

  isAcked(seq: number): boolean {
    return this.acked.has(seq);
  }
}
