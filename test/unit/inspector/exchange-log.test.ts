import { describe, expect, it } from 'vitest';
import { ExchangeLog, type NewExchange } from '../../../src/inspector/exchange-log.js';

function exchange(eventId: string, bodyBytes = 10, sentBody?: Buffer): NewExchange {
  const body = Buffer.alloc(bodyBytes, 'a');
  return {
    eventId,
    edited: sentBody !== undefined,
    receivedAt: 0,
    sentAt: 0,
    received: { method: 'POST', path: '', query: '', headers: [], body },
    sent: { url: 'http://127.0.0.1:1/', method: 'POST', headers: {}, body: sentBody ?? body },
    result: { ok: true, status: 200, durationMs: 1 },
  };
}

describe('ExchangeLog', () => {
  it('numbers exchanges and the attempts of each event', () => {
    const log = new ExchangeLog();
    const ids = [log.add(exchange('rev_a')), log.add(exchange('rev_b')), log.add(exchange('rev_a')), log.add(exchange('rev_a'))];
    expect(ids.map((x) => [x.id, x.eventId, x.attempt])).toEqual([
      ['1', 'rev_a', 1],
      ['2', 'rev_b', 1],
      ['3', 'rev_a', 2],
      ['4', 'rev_a', 3],
    ]);
    expect(log.get('3')?.attempt).toBe(2);
  });

  it('keeps the newest maxEntries, oldest first', () => {
    const log = new ExchangeLog({ maxEntries: 3 });
    for (let i = 1; i <= 5; i += 1) log.add(exchange(`rev_${i}`));
    expect(log.list().map((x) => x.id)).toEqual(['3', '4', '5']);
    expect(log.get('2')).toBeUndefined();
    // Only an id exactly as the log wrote it names an exchange.
    for (const id of ['03', '3.0', ' 3', '0x3', '6', '0', '-1', '', 'abc']) expect(log.get(id)).toBeUndefined();
    expect(log.get('3')?.id).toBe('3');
  });

  it('keeps the body bytes under budget, counting a shared body once, and always keeps the newest', () => {
    const log = new ExchangeLog({ maxBodyBytes: 100 });
    const first = log.add(exchange('rev_1', 40));
    // A replay reusing the same Buffer costs nothing more.
    log.add({ ...exchange('rev_1'), received: first.received, sent: { ...first.sent } });
    log.add(exchange('rev_2', 40));
    expect(log.list().map((x) => x.id)).toEqual(['1', '2', '3']);
    // An edited body counts on its own.
    log.add(exchange('rev_3', 10, Buffer.alloc(30)));
    expect(log.list().map((x) => x.id)).toEqual(['3', '4']);
    log.add(exchange('rev_4', 500));
    expect(log.list().map((x) => x.id)).toEqual(['5']);
  });

  it('forgets an event once none of its exchanges is kept', () => {
    const log = new ExchangeLog({ maxEntries: 1 });
    log.add(exchange('rev_a'));
    log.add(exchange('rev_b'));
    // rev_a was evicted with its only exchange: a new arrival with that id starts again at 1.
    expect(log.add(exchange('rev_a')).attempt).toBe(1);
  });

  it('adds what addLater was given before any other add or read, in order', () => {
    const log = new ExchangeLog();
    const seen: string[] = [];
    log.subscribe((x) => seen.push(x.eventId));
    log.addLater(() => exchange('rev_a'));
    log.addLater(() => exchange('rev_b'));
    expect(log.add(exchange('rev_c')).id).toBe('3');
    expect(log.list().map((x) => x.eventId)).toEqual(['rev_a', 'rev_b', 'rev_c']);
    log.addLater(() => exchange('rev_d'));
    expect(log.get('4')?.eventId).toBe('rev_d');
    expect(seen).toEqual(['rev_a', 'rev_b', 'rev_c', 'rev_d']);
  });

  it('adds what addLater was given by itself, without a read', async () => {
    const log = new ExchangeLog();
    const added = new Promise<string>((resolve) => log.subscribe((x) => resolve(x.eventId)));
    log.addLater(() => exchange('rev_a'));
    expect(await added).toBe('rev_a');
  });

  it('tells subscribers about each new exchange until they unsubscribe', () => {
    const log = new ExchangeLog();
    const seen: string[] = [];
    const stop = log.subscribe((x) => seen.push(x.id));
    log.add(exchange('rev_1'));
    stop();
    log.add(exchange('rev_2'));
    expect(seen).toEqual(['1']);
  });
});
