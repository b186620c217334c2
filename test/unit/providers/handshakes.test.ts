/**
 * The handshakes as data: a real handler written from each provider's docs answers them and is
 * judged right; a handler that gets the answer wrong is judged wrong.
 */
import crypto from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { handshakeFor } from '../../../src/providers/handshakes.js';

let server: Server | undefined;
afterEach(async () => {
  server?.close();
  if (server) await once(server, 'close');
  server = undefined;
});

/** A handler answering with `answer(body)`; returns its URL. */
async function handler(answer: (body: string) => string): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => res.writeHead(200).end(answer(Buffer.concat(chunks).toString('utf8'))));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

async function handshake(provider: string, answer: (body: string) => string, secret: string) {
  const spec = handshakeFor({ name: provider })!;
  const url = await handler(answer);
  const request = spec.request();
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  return spec.judge({ status: response.status, body: await response.text() }, request.challenge, secret);
}

describe('handshakes', () => {
  const secret = 'zoom-secret-token';
  it('zoom: the docs\' answer passes, a wrong HMAC key fails', async () => {
    // Zoom docs: crypto.createHmac('sha256', ZOOM_WEBHOOK_SECRET_TOKEN).update(plainToken).digest('hex').
    const zoomAnswer = (key: string) => (body: string) => {
      const { plainToken } = (JSON.parse(body) as { payload: { plainToken: string } }).payload;
      return JSON.stringify({ plainToken, encryptedToken: crypto.createHmac('sha256', key).update(plainToken).digest('hex') });
    };
    expect(await handshake('zoom', zoomAnswer(secret), secret)).toEqual({ ok: true });
    expect((await handshake('zoom', zoomAnswer('other'), secret)).ok).toBe(false);
  });

  it('twitch: echoing the challenge passes, a JSON wrapper fails', async () => {
    expect(await handshake('twitch', (body) => (JSON.parse(body) as { challenge: string }).challenge, 's')).toEqual({ ok: true });
    expect((await handshake('twitch', (body) => JSON.stringify({ challenge: (JSON.parse(body) as { challenge: string }).challenge }), 's')).ok).toBe(false);
  });

  it('discord: {"type": 1} passes, anything else fails', async () => {
    expect(await handshake('discord', () => '{"type":1}', '')).toEqual({ ok: true });
    expect((await handshake('discord', () => '{"type":4}', '')).ok).toBe(false);
  });

  it('exists only for the providers that have one', () => {
    expect(handshakeFor({ name: 'stripe' })).toBeUndefined();
    expect(handshakeFor({ name: 'constructor' })).toBeUndefined();
  });
});
