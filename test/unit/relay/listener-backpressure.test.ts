/**
 * Backpressure to a slow listener: while its socket holds more unsent bytes than the bound, the relay
 * stops sending (counted in whcli_relay_listener_pauses_total) instead of buffering the whole window;
 * when the listener reads again, every event arrives, in order, exactly once.
 */
import WebSocket from 'ws';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { decodeEventFrames } from '../../../src/relay/protocol.js';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';

let relay: RelayServer | undefined;
let ws: WebSocket | undefined;
afterEach(async () => {
  ws?.terminate();
  await relay?.close();
});

it('pauses sending to a listener that does not read, and resumes when it does', { timeout: 60_000 }, async () => {
  relay = await startRelay({ port: 0, maxListenerBufferBytes: 256 * 1024, maxBodyBytes: 512 * 1024 });
  const channel = await relay.createChannel();
  ws = new WebSocket(`${relay.url.replace(/^http/, 'ws')}/ws/${channel.id}`, { headers: { authorization: `Bearer ${channel.token}` } });
  const COUNT = 120; // 60 MiB: far more than loopback buffers hold
  const seqs: number[] = [];
  let onReady!: () => void;
  let onAll!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const all = new Promise<void>((resolve) => (onAll = resolve));
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) {
      if (JSON.parse(data.toString()).type === 'ready') onReady();
      return;
    }
    const events = decodeEventFrames(data, channel.id);
    seqs.push(...events.map((e) => e.seq));
    if (seqs.length >= COUNT) onAll();
    ws!.send(JSON.stringify({ type: 'acks', acks: events.map((e) => ({ seq: e.seq, report: { ok: true, status: 200, durationMs: 1 } })) }));
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ type: 'hello', v: 1, window: 1000 }));
  await ready;
  // The listener stops reading: its kernel buffers fill, then the relay's socket buffer.
  ws.pause();

  const body = Buffer.alloc(512 * 1024, 0x62);
  for (let i = 0; i < COUNT; i++) {
    const response = await fetch(channel.url, { method: 'POST', body });
    expect(response.status).toBe(200);
  }
  while (relay.metrics.listenerPauses === 0) await new Promise((resolve) => setTimeout(resolve, 20));

  ws.resume();
  await all;
  expect(seqs).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
});
