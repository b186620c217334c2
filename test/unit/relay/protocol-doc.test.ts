/**
 * docs/protocol.md against the code: every message example in the doc is one the code accepts or
 * sends with the same fields, and every metric the doc names is one /metrics exposes.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEventFrames, parseClientMessage } from '../../../src/relay/protocol.js';
import { startRelay, type RelayServer } from '../../../src/relay/server.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
const example = (type: string) => examples.find((e) => e.type === type)!;

let relay: RelayServer | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

/** A real relay, a real listener socket: the ready message and the first event frame it sends. */
async function liveMessages(): Promise<{ ready: Record<string, unknown>; eventHeader: Record<string, unknown> }> {
  relay = await startRelay({ port: 0 });
  const channel = await relay.createChannel();
  await fetch(`${channel.url}/stripe?mode=test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/ws/${channel.id}`, { headers: { authorization: `Bearer ${channel.token}` } });
  // Both may arrive in one read: collect as they come rather than waiting for each in turn.
  const received: Buffer[] = [];
  ws.on('message', (data: Buffer) => {
    received.push(data);
    if (received.length === 2) ws.emit('both');
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ type: 'hello', v: 1 }));
  await once(ws, 'both');
  const [readyData, frame] = received as [Buffer, Buffer];
  ws.terminate();
  const [event] = decodeEventFrames(frame, channel.id);
  const headerLength = frame.readUInt32BE(0);
  return { ready: JSON.parse(readyData.toString()), eventHeader: { ...JSON.parse(frame.subarray(4, 4 + headerLength).toString()), decodedSeq: event!.seq } };
}

describe('docs/protocol.md', () => {
  it('has examples of every message', () => {
    expect(examples.map((e) => e.type).sort()).toEqual(['ack', 'acks', 'error', 'event', 'hello', 'ready']);
  });

  it.each(['hello', 'ack', 'acks'])('shows a %s message the relay accepts as written', (type) => {
    expect(parseClientMessage(JSON.stringify(example(type)))).toEqual(example(type));
  });

  it('shows the ready message and the event header with the fields the relay sends', async () => {
    const { ready, eventHeader } = await liveMessages();
    expect(Object.keys(ready).sort()).toEqual(Object.keys(example('ready')).sort());
    const { decodedSeq, ...header } = eventHeader;
    expect(decodedSeq).toBe(1);
    expect(Object.keys(header).sort()).toEqual(Object.keys(example('event')).sort());
    expect(header).toMatchObject({ type: 'event', seq: 1, method: 'POST', path: '/stripe', query: 'mode=test' });
  });

  it('names only metrics that /metrics exposes, and all of them', async () => {
    relay = await startRelay({ port: 0 });
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    const documented = new Set([...doc.matchAll(/`(whcli_relay_[a-z_]+)/g)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...exposed].sort());
  });
});
