/**
 * Slack's url_verification handshake (src/providers/handshakes.ts) against real loopback handlers:
 * the request is a genuine signed Slack request (checked with Slack's documented verification),
 * and `judge` tells a handler that echoes the challenge from one that does not.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../helpers/close-server.js';
import { afterEach, describe, expect, it } from 'vitest';
import { handshakeFor } from '../../src/providers/handshakes.js';
import { signatureHeaders } from '../../src/providers/sign.js';
import { builtinProviders } from '../../src/providers/builtin.js';
import { slack } from '../../src/providers/catalogue/slack.js';
import { SECRETS, oracleAccepts } from '../helpers/foundation-oracles.js';

type Reply = (body: { challenge?: string }) => { status: number; type?: string; body: string };

let server: Server | undefined;
afterEach(async () => {
  await closeServer(server);
  server = undefined;
});

/** A Slack handler: verifies the signature as Slack documents, then answers with `reply`. */
async function startHandler(reply: Reply): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      void oracleAccepts('slack', SECRETS.slack!, raw, req.headers).then((genuine) => {
        if (!genuine) return void res.writeHead(401).end('bad signature');
        const answer = reply(JSON.parse(raw.toString('utf8')) as { challenge?: string });
        res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain' }).end(answer.body);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
}

async function shake(url: string, secret = SECRETS.slack!) {
  const handshake = handshakeFor(slack)!;
  const { body, headers: own, eventId, challenge } = handshake.request();
  const headers = { ...own, ...signatureHeaders(slack, { body, secret, eventId }) };
  const response = await fetch(url, { method: 'POST', headers, body });
  const answer = { status: response.status, body: await response.text() };
  return handshake.judge(answer, challenge, secret).ok;
}

describe("Slack's url_verification handshake", () => {
  it('is described for the providers that have one, with Slack\'s documented body', () => {
    expect(builtinProviders.filter((p) => handshakeFor(p)).map((p) => p.name).sort()).toEqual(['discord', 'slack', 'twitch', 'zoom']);
    const { body, challenge } = handshakeFor(slack)!.request();
    expect(JSON.parse(body.toString())).toEqual({ token: 'verification-token-deprecated', challenge, type: 'url_verification' });
  });

  it.each([
    ['plain text', ((b) => ({ status: 200, body: b.challenge! })) as Reply],
    ['JSON', ((b) => ({ status: 200, type: 'application/json', body: JSON.stringify({ challenge: b.challenge }) })) as Reply],
    ['a form field', ((b) => ({ status: 200, type: 'application/x-www-form-urlencoded', body: `challenge=${b.challenge}` })) as Reply],
  ])('passes a handler that echoes the challenge as %s', async (_, reply) => {
    expect(await shake(await startHandler(reply))).toBe(true);
  });

  it.each([
    ['answers 200 without the challenge', (() => ({ status: 200, body: 'ok' })) as Reply],
    ['echoes it with a 500', ((b) => ({ status: 500, body: b.challenge! })) as Reply],
    ['echoes another challenge', (() => ({ status: 200, body: 'not-the-challenge' })) as Reply],
  ])('fails a handler that %s', async (_, reply) => {
    expect(await shake(await startHandler(reply))).toBe(false);
  });

  it('is signed like any Slack request: a wrong secret gets the handler\'s 401', async () => {
    const url = await startHandler((b) => ({ status: 200, body: b.challenge! }));
    expect(await shake(url, 'not-the-secret')).toBe(false);
  });
});
