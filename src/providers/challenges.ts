import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { VerifyResult } from '../signing/index.js';

/** A handshake a provider sends before (or besides) events, and what a correct handler answers. */
export interface Challenge {
  provider: string;
  /** The handshake's name in the provider's docs. */
  name: string;
  /** The event whose fixture carries it, when it is also an event; absent when whcli builds the body. */
  event?: string;
  /** A fresh request: body and the headers besides the signature's (sign it as any event of the provider). */
  request(nowMs?: number): { body: Buffer; headers: Record<string, string>; eventId: string; token: string };
  /** Whether the handler's answer completes the handshake. */
  judge(answer: { status: number; body: string }, token: string, secret: string): VerifyResult;
}

const ok200 = (status: number): VerifyResult => (status === 200 ? { ok: true } : { ok: false, reason: `answered ${status}, not 200` });

/** Zoom: {"plainToken", "encryptedToken"} where encryptedToken = hex HMAC-SHA256(secret token, plainToken). */
const zoom: Challenge = {
  provider: 'zoom',
  name: 'endpoint.url_validation',
  event: 'endpoint.url_validation',
  request: (nowMs = Date.now()) => {
    const token = randomBytes(16).toString('base64url');
    const body = { payload: { plainToken: token }, event_ts: nowMs, event: 'endpoint.url_validation' };
    return { body: Buffer.from(JSON.stringify(body)), headers: { 'Content-Type': 'application/json' }, eventId: randomUUID(), token };
  },
  judge: ({ status, body }, token, secret) => {
    const code = ok200(status);
    if (!code.ok) return code;
    let answer: { plainToken?: unknown; encryptedToken?: unknown };
    try {
      answer = JSON.parse(body) as typeof answer;
    } catch {
      return { ok: false, reason: 'the answer is not JSON {"plainToken", "encryptedToken"}' };
    }
    if (answer.plainToken !== token) return { ok: false, reason: 'plainToken is not the one sent' };
    const expected = createHmac('sha256', secret).update(token).digest('hex');
    return answer.encryptedToken === expected ? { ok: true } : { ok: false, reason: 'encryptedToken is not the HMAC of plainToken with the secret token' };
  },
};

/** Twitch EventSub: 200 with the challenge string itself as the body. */
const twitch: Challenge = {
  provider: 'twitch',
  name: 'webhook_callback_verification',
  request: (nowMs = Date.now()) => {
    const token = randomBytes(24).toString('base64url');
    const body = {
      challenge: token,
      subscription: {
        id: randomUUID(),
        status: 'webhook_callback_verification_pending',
        type: 'stream.online',
        version: '1',
        cost: 1,
        condition: { broadcaster_user_id: '1337' },
        transport: { method: 'webhook', callback: 'https://example.com/webhooks/twitch' },
        created_at: new Date(nowMs).toISOString(),
      },
    };
    const headers = {
      'Content-Type': 'application/json',
      'Twitch-Eventsub-Message-Type': 'webhook_callback_verification',
      'Twitch-Eventsub-Subscription-Type': 'stream.online',
      'Twitch-Eventsub-Subscription-Version': '1',
      'Twitch-Eventsub-Message-Retry': '0',
    };
    return { body: Buffer.from(JSON.stringify(body)), headers, eventId: randomUUID(), token };
  },
  judge: ({ status, body }, token) => {
    const code = ok200(status);
    if (!code.ok) return code;
    return body === token ? { ok: true } : { ok: false, reason: 'the answer is not the challenge string, as sent' };
  },
};

/** Discord: a PING (type 1) is answered {"type": 1}. */
const discord: Challenge = {
  provider: 'discord',
  name: 'PING',
  event: 'PING',
  request: () => {
    const eventId = String(BigInt(Date.now()) << 22n);
    const body = { application_id: '1187654321098765432', id: eventId, token: randomBytes(24).toString('base64url'), type: 1, version: 1 };
    return { body: Buffer.from(JSON.stringify(body)), headers: { 'Content-Type': 'application/json' }, eventId, token: '' };
  },
  judge: ({ status, body }) => {
    const code = ok200(status);
    if (!code.ok) return code;
    try {
      return (JSON.parse(body) as { type?: unknown }).type === 1 ? { ok: true } : { ok: false, reason: 'the answer is not {"type": 1}' };
    } catch {
      return { ok: false, reason: 'the answer is not JSON {"type": 1}' };
    }
  },
};

const CHALLENGES: readonly Challenge[] = [zoom, twitch, discord];

/** The handshake a provider needs answered, if any. */
export function challengeFor(providerName: string): Challenge | undefined {
  return CHALLENGES.find((c) => c.provider === providerName);
}
