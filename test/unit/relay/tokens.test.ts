/**
 * Channel credentials (src/relay/tokens.ts): tokens are stored only as their SHA-256, and a presented
 * token is compared with crypto.timingSafeEqual on equal-length digests, whatever its length, so the
 * comparison time says nothing about how much of it was right. The relay's upgrade uses that check.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';

const { timingSafeEqual } = vi.hoisted(() => ({ timingSafeEqual: vi.fn() }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  timingSafeEqual.mockImplementation(crypto.timingSafeEqual);
  return { ...crypto, default: { ...crypto, timingSafeEqual }, timingSafeEqual };
});

const { hashToken, newChannelId, newToken, tokenMatches } = await import('../../../src/relay/tokens.js');
const { startRelay } = await import('../../../src/relay/server.js');

afterEach(() => timingSafeEqual.mockClear());

describe('channel tokens', () => {
  it('have 256 random bits and channel ids 128, URL-safe', () => {
    const token = newToken();
    expect(token).toMatch(/^wht_[A-Za-z0-9_-]{43}$/);
    expect(newChannelId()).toMatch(/^ch_[A-Za-z0-9_-]{22}$/);
    expect(new Set(Array.from({ length: 1000 }, newToken)).size).toBe(1000);
  });

  it('are kept as their SHA-256, computed here independently', () => {
    const token = newToken();
    expect(hashToken(token)).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    expect(hashToken(token)).not.toContain(token.slice(4));
  });

  it.each([
    ['the right token', (t: string) => t, true],
    ['a token wrong in its last character', (t: string) => t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A'), false],
    ['a token wrong in its first character', (t: string) => `x${t.slice(1)}`, false],
    ['a shorter token', (t: string) => t.slice(0, 10), false],
    ['a much longer token', (t: string) => t.repeat(50), false],
    ['an empty token', () => '', false],
  ])('compares %s in constant time, on two 32-byte digests', (_name, present, expected) => {
    const token = newToken();
    expect(tokenMatches(present(token), hashToken(token))).toBe(expected);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0]! as [Buffer, Buffer];
    expect([a.length, b.length]).toEqual([32, 32]);
  });
});

describe('the relay upgrade', () => {
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  async function upgradeStatus(url: string, token: string): Promise<number> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    ws.on('error', () => {});
    const status = await Promise.race([
      once(ws, 'upgrade').then(([res]) => (res as { statusCode: number }).statusCode),
      once(ws, 'unexpected-response').then(([, res]) => (res as { statusCode: number; resume(): void }).statusCode),
    ]);
    ws.terminate();
    return status;
  }

  it('checks the presented token with timingSafeEqual, right or wrong', async () => {
    relay = await startRelay({ port: 0 });
    const channel = await relay.createChannel();
    const url = `${relay.url.replace('http', 'ws')}/ws/${channel.id}`;
    expect(await upgradeStatus(url, channel.token)).toBe(101);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    expect(await upgradeStatus(url, `${channel.token.slice(0, -1)}x`)).toBe(401);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
    expect(relay.metrics.rejected.unauthorized).toBe(1);
  });
});
