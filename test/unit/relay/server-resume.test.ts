/**
 * Where the relay resumes a listener (docs/protocol.md, "hello"): acks sent while a link was dying never
 * arrive, so the relay resends from what its store saw acknowledged even when the listener's resume
 * point is further on; a resume point further back is honoured. In-process relay, real sockets.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEventFrames } from '../../../src/relay/protocol.js';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';

let relay: RelayServer | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await relay?.close();
  relay = undefined;
});

/** A hand-driven listener: says hello, collects event seqs, acks on demand. */
async function connect(channel: { id: string; token: string }, hello: Record<string, unknown>) {
  const ws = new WebSocket(`${relay!.url.replace('http', 'ws')}/ws/${channel.id}`, { headers: { authorization: `Bearer ${channel.token}` } });
  sockets.push(ws);
  const seqs: number[] = [];
  let ready: Record<string, unknown> | undefined;
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) ready = JSON.parse(data.toString()) as Record<string, unknown>;
    else seqs.push(...decodeEventFrames(data, channel.id).map((event) => event.seq));
    ws.emit('frame');
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ type: 'hello', v: 1, ...hello }));
  const until = async (check: () => boolean) => {
    while (!check()) await once(ws, 'frame');
  };
  await until(() => ready !== undefined);
  return {
    ws,
    seqs,
    ready: ready!,
    waitForSeqs: (count: number) => until(() => seqs.length >= count),
    ack: (seq: number, skipped?: 'duplicate') => ws.send(JSON.stringify({ type: 'ack', seq, report: { ok: true, durationMs: 1, ...(skipped ? { skipped } : {}) } })),
    /** A ping's pong comes back after the relay read everything sent before it. */
    sync: async () => {
      ws.ping();
      await once(ws, 'pong');
    },
  };
}

async function post(channel: { url: string }, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) expect((await fetch(channel.url, { method: 'POST', body: `{"n":${n}}` })).status).toBe(200);
}

describe('relay resume point', () => {
  it('resends events whose acks were lost, even when the listener resumes past them', async () => {
    relay = await startRelay({ port: 0 });
    const channel = await relay.createChannel();
    const first = await connect(channel, {});
    expect(first.ready).toMatchObject({ type: 'ready', resumeFrom: 0 });
    await post(channel, 3);
    await first.waitForSeqs(3);
    first.ack(1);
    await first.sync();
    // The acks for 2 and 3 were "sent" as the link died: the relay never saw them.
    first.ws.terminate();

    const second = await connect(channel, { resume: 3 });
    expect(second.ready.resumeFrom).toBe(1);
    await second.waitForSeqs(2);
    expect(second.seqs).toEqual([2, 3]);
    second.ack(2, 'duplicate');
    second.ack(3, 'duplicate');
    await second.sync();
    expect(await relay.store.ackedThrough(channel.id)).toBe(3);
    expect((await relay.store.stats()).pendingEvents).toBe(0);
  });

  it('honours a resume point behind the channel (another listener acknowledged more)', async () => {
    relay = await startRelay({ port: 0 });
    const channel = await relay.createChannel();
    const busy = await connect(channel, {});
    await post(channel, 3);
    await busy.waitForSeqs(3);
    for (const seq of [1, 2, 3]) busy.ack(seq);
    await busy.sync();
    expect(await relay.store.ackedThrough(channel.id)).toBe(3);

    const behind = await connect(channel, { resume: 1 });
    expect(behind.ready.resumeFrom).toBe(1);
    await behind.waitForSeqs(2);
    expect(behind.seqs).toEqual([2, 3]);
    const fresh = await connect(channel, {});
    expect(fresh.ready.resumeFrom).toBe(3);
  });
});
