/** The in-process link to the embedded relay keeps acks made while it is still attaching. */
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';
import { LocalLink } from '../../../src/tunnel/local-link.js';

let relay: RelayServer | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('LocalLink', () => {
  it('delivers events stored before it attached, and their acks reach the store', async () => {
    relay = await startRelay({ port: 0 });
    const channel = await relay.createChannel();
    for (let n = 1; n <= 3; n++) await fetch(channel.url, { method: 'POST', body: `{"n":${n}}` });

    const seen: number[] = [];
    let link: LocalLink;
    const ready = new Promise<void>((resolve) => {
      link = new LocalLink(relay!, channel.id, 64, {
        // Acknowledge at once, as a listener does for events filtered out by --events.
        onEvent: (event) => {
          seen.push(event.seq);
          link.ack(event.seq, { ok: true, durationMs: 0, skipped: 'filtered' });
        },
        onStatus: (status) => status.type === 'ready' && resolve(),
      });
      link.start();
    });
    await ready;
    expect(seen).toEqual([1, 2, 3]);
    expect(await relay.store.ackedThrough(channel.id)).toBe(3);
    link!.stop();
  });
});
