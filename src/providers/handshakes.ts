import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { VerifyResult } from '../signing/index.js';
import type { ProviderSpec } from './types.js';

/** What the handler answered to a handshake. */
export interface HandshakeAnswer {
  status: number;
  body: string;
}

/** One handshake request: body and the provider's headers besides the signature's, and the value the answer must carry. */
export interface HandshakeRequest {
  body: Buffer;
  headers: Record<string, string>;
  eventId: string;
  challenge: string;
}

/**
 * A request a provider sends when the endpoint is saved (or a subscription made), and the answer it
 * needs before it sends any event. The request is signed like every other delivery of the provider.
 */
export interface Handshake {
  /** As the provider's docs name it, e.g. "url_verification". */
  name: string;
  /** What a correct handler answers, in words, for reports. */
  expected: string;
  /** A fresh request with a fresh challenge. */
  request(nowMs?: number): HandshakeRequest;
  /** Whether the answer completes the handshake; `secret` is the provider secret (Zoom's answer is keyed by it). */
  judge(answer: HandshakeAnswer, challenge: string, secret: string): VerifyResult;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const status2xx = (status: number): VerifyResult =>
  status >= 200 && status < 300 ? { ok: true } : { ok: false, reason: `answered ${status}, not 2xx` };
const status200 = (status: number): VerifyResult => (status === 200 ? { ok: true } : { ok: false, reason: `answered ${status}, not 200` });
const parseJson = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** Slack url_verification (https://api.slack.com/events/url_verification): the challenge echoed as text, JSON or a form field. */
const slack: Handshake = {
  name: 'url_verification',
  expected: '2xx echoing the challenge (plain text, {"challenge": ...} or challenge=...)',
  request: () => {
    const challenge = randomBytes(24).toString('base64url');
    const body = { token: 'verification-token-deprecated', challenge, type: 'url_verification' };
    return { body: Buffer.from(JSON.stringify(body)), headers: JSON_HEADERS, eventId: randomUUID(), challenge };
  },
  judge: ({ status, body }, challenge) => {
    const code = status2xx(status);
    if (!code.ok) return code;
    const text = body.trim();
    const echoed = text === challenge || new URLSearchParams(text).get('challenge') === challenge || parseJson(text)?.challenge === challenge;
    return echoed ? { ok: true } : { ok: false, reason: 'the answer does not echo the challenge' };
  },
};

/** Zoom endpoint.url_validation: {"plainToken", "encryptedToken"} with encryptedToken = hex HMAC-SHA256(secret token, plainToken). */
const zoom: Handshake = {
  name: 'endpoint.url_validation',
  expected: '200 {"plainToken": <payload.plainToken>, "encryptedToken": hex HMAC-SHA256(secret token, plainToken)}',
  request: (nowMs = Date.now()) => {
    const challenge = randomBytes(16).toString('base64url');
    const body = { payload: { plainToken: challenge }, event_ts: nowMs, event: 'endpoint.url_validation' };
    return { body: Buffer.from(JSON.stringify(body)), headers: JSON_HEADERS, eventId: randomUUID(), challenge };
  },
  judge: ({ status, body }, challenge, secret) => {
    const code = status200(status);
    if (!code.ok) return code;
    const answer = parseJson(body);
    if (!answer) return { ok: false, reason: 'the answer is not JSON {"plainToken", "encryptedToken"}' };
    if (answer.plainToken !== challenge) return { ok: false, reason: 'plainToken is not the one sent' };
    const expected = createHmac('sha256', secret).update(challenge).digest('hex');
    return answer.encryptedToken === expected ? { ok: true } : { ok: false, reason: 'encryptedToken is not the HMAC of plainToken with the secret token' };
  },
};

/** Twitch EventSub webhook_callback_verification: 200 with the challenge string itself as the body. */
const twitch: Handshake = {
  name: 'webhook_callback_verification',
  expected: '200 with the body\'s "challenge" as the plain-text body',
  request: (nowMs = Date.now()) => {
    const challenge = randomBytes(24).toString('base64url');
    const body = {
      challenge,
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
      ...JSON_HEADERS,
      'Twitch-Eventsub-Message-Type': 'webhook_callback_verification',
      'Twitch-Eventsub-Subscription-Type': 'stream.online',
      'Twitch-Eventsub-Subscription-Version': '1',
      'Twitch-Eventsub-Message-Retry': '0',
    };
    return { body: Buffer.from(JSON.stringify(body)), headers, eventId: randomUUID(), challenge };
  },
  judge: ({ status, body }, challenge) => {
    const code = status200(status);
    if (!code.ok) return code;
    return body === challenge ? { ok: true } : { ok: false, reason: 'the answer is not the challenge string, as sent' };
  },
};

/** Discord PING (interaction type 1): answered {"type": 1}. */
const discord: Handshake = {
  name: 'PING',
  expected: '200 {"type": 1}',
  request: (nowMs = Date.now()) => {
    const eventId = String(BigInt(nowMs) << 22n);
    const body = { application_id: '1187654321098765432', id: eventId, token: randomBytes(24).toString('base64url'), type: 1, version: 1 };
    return { body: Buffer.from(JSON.stringify(body)), headers: JSON_HEADERS, eventId, challenge: '' };
  },
  judge: ({ status, body }) => {
    const code = status200(status);
    if (!code.ok) return code;
    const answer = parseJson(body);
    if (!answer) return { ok: false, reason: 'the answer is not JSON {"type": 1}' };
    return answer.type === 1 ? { ok: true } : { ok: false, reason: 'the answer is not {"type": 1}' };
  },
};

const HANDSHAKES: ReadonlyMap<string, Handshake> = new Map(Object.entries({ slack, zoom, twitch, discord }));

/** The handshake a provider performs before sending events, or undefined for providers without one. */
export function handshakeFor(provider: Pick<ProviderSpec, 'name'>): Handshake | undefined {
  return HANDSHAKES.get(provider.name);
}

/** The providers that perform a handshake, for messages. */
export const HANDSHAKE_PROVIDERS: readonly string[] = [...HANDSHAKES.keys()];

/** Why a handshake matters, for failure messages: the provider sends no events until it is answered. */
export function handshakeStakes(provider: Pick<ProviderSpec, 'name'>, handshake: Handshake): string {
  return `${provider.name} sends ${handshake.name} when the endpoint is saved and will not enable the endpoint (send it any event) until the handler answers ${handshake.expected}`;
}
