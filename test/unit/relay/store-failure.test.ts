/**
 * A store that fails mid-conversation (Redis going away) ends that listener's connection with 1011,
 * so it reconnects and resumes; the relay itself keeps running.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';
import { MemoryStore } from '../../../src/relay/stores/memory-store.js';

class FailingAckStore extends MemoryStore {
  override async ack(): Promise<void> {
    throw new Error('connection to the store lost');
  }
}

let relay: RelayServer | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('relay with a failing store', () => {
  it('closes the listener with 1011 and a reason, and keeps serving', async () => {
    relay = await startRelay({ port: 0, store: new FailingAckStore() });
    const channel = await relay.createChannel();
    expect((await fetch(channel.url, { method: 'POST', body: '{"n":1}' })).status).toBe(200);

    const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/ws/${channel.id}`, { headers: { authorization: `Bearer ${channel.token}` } });
    const closed = once(ws, 'close');
    ws.on('message', (_data, isBinary) => {
      if (isBinary) ws.send(JSON.stringify({ type: 'ack', seq: 1, report: { ok: true, durationMs: 1 } }));
    });
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'hello', v: 1 }));
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(1011);
    expect(reason.toString()).toMatch(/relay store unavailable: connection to the store lost/);

    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    expect((await fetch(channel.url, { method: 'POST', body: '{"n":2}' })).status).toBe(200);
  });
});
