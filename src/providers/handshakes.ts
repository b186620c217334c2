import type { ProviderSpec } from './types.js';

/** What a handler answered, as far as a handshake check needs it. */
export interface HandshakeAnswer {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
}

/**
 * A request a provider sends before any event, and the answer it needs to go on sending events
 * (e.g. Slack's url_verification when an Events API request URL is saved). The request is signed
 * like every other delivery of the provider.
 */
export interface Handshake {
  /** As the provider names it, e.g. "url_verification". */
  name: string;
  /** The JSON body the provider sends for this challenge value. */
  body(challenge: string): Record<string, unknown>;
  /** What the handler must answer, for reports. */
  expected: string;
  /** Whether the answer completes the handshake. */
  accepts(answer: HandshakeAnswer, challenge: string): boolean;
}

/**
 * Slack's url_verification (https://api.slack.com/events/url_verification): a 2xx whose body is
 * the challenge, as plain text, as {"challenge": ...} JSON or as a challenge= form field.
 */
const slackUrlVerification: Handshake = {
  name: 'url_verification',
  body: (challenge) => ({ token: 'verification-token-deprecated', challenge, type: 'url_verification' }),
  expected: '2xx echoing the challenge (plain text, {"challenge": ...} or challenge=...)',
  accepts({ status, body = '' }, challenge) {
    if (status === undefined || status < 200 || status >= 300) return false;
    const text = body.trim();
    if (text === challenge) return true;
    if (new URLSearchParams(text).get('challenge') === challenge) return true;
    try {
      return (JSON.parse(text) as { challenge?: unknown }).challenge === challenge;
    } catch {
      return false;
    }
  },
};

const HANDSHAKES: Readonly<Record<string, Handshake>> = { slack: slackUrlVerification };

/** The handshake a provider performs before sending events, or undefined for providers without one. */
export function handshakeFor(provider: ProviderSpec): Handshake | undefined {
  return HANDSHAKES[provider.name];
}
