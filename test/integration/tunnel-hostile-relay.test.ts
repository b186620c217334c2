/**
 * What a broken or hostile relay can send `whcli listen` (a real `whcli listen` process against a
 * hand-written relay on loopback, test/helpers/fake-relay.ts): malformed events are refused with a
 * report and one line each, and the listener keeps going; garbled framing costs one reconnect; a relay
 * that sends past the window it was given is disconnected with a reason; a path that climbs out of
 * --forward is not forwarded; a relay that forgot the channel gets a new one, published for `trigger`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllFakeRelays, eventFrame, eventHeader, startFakeRelay, type FakeConnection } from '../helpers/fake-relay.js';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { deliveries, makeHome, startListenerProcess, stopAllProcesses, type JsonLine } from '../helpers/processes.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
  await closeAllFakeRelays();
});

const refusals = (lines: JsonLine[]) => lines.filter((l) => l.type === 'refused');

async function listenTo(forwardPath = '') {
  const handler = await startHandler();
  const relay = await startFakeRelay();
  const home = await makeHome();
  const listener = await startListenerProcess(home, ['--forward', `${handler.url}${forwardPath}`, '--relay', relay.url, '--no-inspect', '--ordered']);
  const connection = await relay.connection(1);
  return { handler, relay, home, listener, connection };
}

describe('whcli listen against a relay that sends malformed events', () => {
  it('refuses each with a report and one line, stays connected, and delivers the good event after them', async () => {
    const { handler, relay, listener, connection } = await listenTo();
    const bad: [number | string, Record<string, unknown>, string][] = [
      [1, { headers: [['Content-Type']] }, 'headers\\[0\\] is not a pair of strings'],
      [2, { headers: { 'Content-Type': 'application/json' } }, 'headers is an object'],
      [3, { path: 42 }, 'path is a number'],
      [4, { query: { a: 1 } }, 'query is an object'],
      [5, { headers: [['X-Note', 'a\r\nInjected: yes']] }, 'control characters'],
      [6, { method: 'PO ST' }, 'not an HTTP method'],
      [7, { id: 7 }, 'id is a number'],
      [8, { receivedAt: 'yesterday' }, 'receivedAt is a string'],
      [9, { path: '/ok\r\nHost: elsewhere' }, 'path is not'],
    ];
    for (const [seq, fields] of bad) connection.send(eventFrame(eventHeader(seq as number, fields), '{"bad":true}'));
    // No sequence number: nothing to acknowledge, but still one line and no crash.
    connection.send(eventFrame(eventHeader(0, { seq: 'ten' }), '{}'));
    // A body shorter than its bodyLength says.
    connection.send(eventFrame({ ...eventHeader(11), bodyLength: 100 }, 'short'));
    // A batch with a bad member, then a good one.
    connection.send(Buffer.concat([eventFrame(eventHeader(12, { headers: null }), '{}', true), eventFrame(eventHeader(13), '{"n":13}', true)]));
    connection.send(eventFrame(eventHeader(14), '{"n":14}'));

    const received = await handler.waitForRequests(2);
    expect(received.map((r) => r.body.toString())).toEqual(['{"n":13}', '{"n":14}']);
    const refusedSeqs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12];
    await connection.waitFor(() => refusedSeqs.every((seq) => connection.ackFor(seq)) && !!connection.ackFor(14), 'every ack');
    for (const seq of refusedSeqs) {
      expect(connection.ackFor(seq)!.report, `ack of #${seq}`).toMatchObject({ ok: false, skipped: 'rejected', error: { kind: 'malformed', message: expect.stringMatching(/^not forwarded: /) } });
    }
    expect(connection.ackFor(13)!.report).toMatchObject({ ok: true, status: 200 });
    expect(connection.ackFor(14)!.report).toMatchObject({ ok: true, status: 200 });

    await listener.proc.waitFor(() => (refusals(listener.proc.lines).length >= 12 ? true : undefined), '12 refused lines');
    const lines = refusals(listener.proc.lines);
    for (const [seq, , reason] of bad) expect(lines.find((l) => l.seq === seq)?.reason, `line of #${seq}`).toMatch(new RegExp(reason));
    expect(lines.find((l) => l.seq === undefined)?.reason).toMatch(/seq is a string/);
    expect(lines.find((l) => l.seq === 11)?.reason).toMatch(/bodyLength/);
    // Refused, not delivered: no delivery line for them; the same socket throughout.
    await listener.proc.waitFor(() => (deliveries(listener.proc).length >= 2 ? true : undefined), 'two delivery lines');
    expect(deliveries(listener.proc).map((d) => d.seq)).toEqual([13, 14]);
    expect(relay.connections).toHaveLength(1);
    expect(connection.closeInfo).toBeUndefined();
    expect(listener.proc.alive).toBe(true);
  });

  it('says a malformed event in one line on the terminal, made safe to print', async () => {
    const handler = await startHandler();
    const relay = await startFakeRelay();
    const { startCli } = await import('../helpers/processes.js');
    const proc = startCli(['listen', '--forward', handler.url, '--relay', relay.url, '--no-inspect'], await makeHome());
    const connection = await relay.connection(1);
    connection.send(eventFrame(eventHeader(1, { id: 'rev_\u001b]0;owned\u0007', path: 7 }), '{}'));
    await proc.waitForStderr(/refused event #1/);
    const line = proc.stderr.split('\n').find((l) => l.includes('refused event #1'))!;
    expect(line).toMatch(/^refused event #1 \(rev_\\e\]0;owned\\u0007\) from the relay: path is a number, not a string; not forwarded$/);
    expect(proc.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('reconnects once when the framing itself is broken, then delivers what the relay sends again', async () => {
    const { handler, relay, listener, connection } = await listenTo();
    const truncated = Buffer.alloc(10);
    truncated.writeUInt32BE(1000);
    connection.send(truncated);
    const closed = await connection.waitForClose();
    expect(closed).toEqual({ code: 1007, reason: expect.stringMatching(/malformed message from the relay: an event header runs past the end/) });
    await listener.proc.waitForLine((l) => l.type === 'status' && l.status === 'disconnected', 'the disconnected status');

    const again = await relay.connection(2);
    again.send(eventFrame(eventHeader(1), '{"n":1}'));
    const [request] = await handler.waitForRequests(1);
    expect(request!.body.toString()).toBe('{"n":1}');
    expect(listener.proc.alive).toBe(true);
  });

  it('shows a close reason or error message from the relay without its control characters', async () => {
    const { relay, listener, connection } = await listenTo();
    connection.send({ type: 'error', code: 'X', message: 'store down \u001b[2J\u001b]0;title\u0007' });
    connection.ws.close(4000, 'bye');
    const status = await listener.proc.waitForLine((l) => l.type === 'status' && l.status === 'disconnected', 'the disconnected status');
    // --json carries it as JSON, control characters escaped by the encoding.
    expect(status.reason).toBe('the relay reported: store down \u001b[2J\u001b]0;title\u0007');
    expect(listener.proc.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    await relay.connection(2);
  });
});

describe('whcli listen against a relay that ignores the window', () => {
  it('closes the socket with 1008 and the reason past the window, delivers none beyond it, and reconnects', async () => {
    const { handler, relay, listener, connection } = await listenTo();
    expect(connection.hello).toMatchObject({ type: 'hello', v: 1, window: 64 });
    // 500 events in one message: 436 past the window of 64 the listener asked for.
    const batch = Buffer.concat(Array.from({ length: 500 }, (_, i) => eventFrame(eventHeader(i + 1), `{"n":${i + 1}}`, true)));
    connection.send(batch);
    const closed = await connection.waitForClose();
    expect(closed).toEqual({ code: 1008, reason: 'the relay sent more than the window of 64 unacknowledged events' });
    const status = await listener.proc.waitForLine((l) => l.type === 'status' && l.status === 'disconnected', 'the disconnected status');
    expect(status.reason).toBe('the relay sent more than the window of 64 unacknowledged events');

    // The listener comes back on a new socket and carries on; the events past the window were never taken.
    const again = await relay.connection(2);
    again.send(eventFrame(eventHeader(100_000), '"after"'));
    await listener.proc.waitForLine((l) => l.type === 'delivery' && l.seq === 100_000, 'the delivery after the reconnection');
    expect(handler.requests.some((r) => r.body.toString() === '"after"')).toBe(true);
    const firstSocket = handler.requests.filter((r) => r.body.toString().startsWith('{"n":'));
    expect(firstSocket.length).toBeLessThanOrEqual(64);
    expect(firstSocket.map((r) => r.body.toString())).toEqual(firstSocket.map((_, i) => `{"n":${i + 1}}`));
    expect(listener.proc.alive).toBe(true);
  });
});

describe('whcli listen with a sender path that leaves --forward', () => {
  it('refuses /..\\admin, %2e%2e and %5c forms (acknowledged as rejected), and forwards a path that stays under it', async () => {
    const { handler, listener, connection } = await listenTo('/hooks');
    const climbing = ['/..\\admin', '/%2e%2e/admin', '/..%5cadmin', '/.%2E/%2e%2E%5cadmin', '/a/../../admin', '/%252e%252e/admin'];
    climbing.forEach((path, i) => connection.send(eventFrame(eventHeader(i + 1, { path }), '{}')));
    connection.send(eventFrame(eventHeader(climbing.length + 1, { path: '/stripe/../github' }), '{"ok":true}'));

    const [request] = await handler.waitForRequests(1);
    expect(request!.url).toBe('/hooks/stripe/../github');
    await connection.waitFor(() => connection.acks.length === climbing.length + 1, 'every ack');
    for (let seq = 1; seq <= climbing.length; seq++) {
      expect(connection.ackFor(seq)!.report, climbing[seq - 1]).toMatchObject({ ok: false, skipped: 'rejected', error: { kind: 'path', message: expect.stringMatching(/outside the --forward path \/hooks/) } });
    }
    await listener.proc.waitFor(() => (deliveries(listener.proc).length === climbing.length + 1 ? true : undefined), 'every delivery line');
    expect(handler.requests).toHaveLength(1);
  });
});

describe('whcli listen when the relay forgets its channel', () => {
  async function expectNewChannel(forget: (connection: FakeConnection) => void) {
    const { handler, relay, home, listener, connection } = await listenTo();
    relay.forgotten.add(relay.channels[0]!.id);
    forget(connection);
    await listener.proc.waitForStderr(/the relay no longer knows this channel: creating a new one/);
    const ready = await listener.proc.waitForLine((l) => l.type === 'ready' && l.channel === 'ch_fake2', 'the new ready line');
    expect(ready.url).toBe(relay.channels[1]!.url);
    const next = await relay.connection(2);
    next.send(eventFrame(eventHeader(1), '{"n":1}'));
    await handler.waitForRequests(1);
    // `whcli trigger` finds the listener by its record: it names the new URL.
    const state = join(home, 'state');
    const [record] = (await readdir(state)).filter((name) => name.startsWith('listen-'));
    expect(JSON.parse(await readFile(join(state, record!), 'utf8'))).toMatchObject({ url: relay.channels[1]!.url });
    expect(listener.proc.alive).toBe(true);
  }

  it('on a 404 at reconnection: says so in one line, creates a new channel and publishes it', async () => {
    await expectNewChannel((connection) => connection.ws.close(1001, 'restarting'));
  });

  it('on a close with code 4404 (unknown channel) on an open socket: the same', async () => {
    await expectNewChannel((connection) => connection.ws.close(4404, 'unknown channel'));
  });
});
