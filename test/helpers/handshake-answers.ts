/**
 * How a correct handler answers each provider's verification handshake, written from the
 * providers' docs (not from whcli's code): undefined when the request is not a handshake.
 */
import { createHmac } from 'node:crypto';
import type { Reply, ReceivedWebhook } from './verify-server.js';

const json = (body: Buffer): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

export function handshakeAnswer(provider: string, { body, headers }: Pick<ReceivedWebhook, 'body' | 'headers'>, secret: string): Reply | undefined {
  const parsed = json(body);
  switch (provider) {
    // https://api.slack.com/events/url_verification: respond with the challenge value.
    case 'slack':
      return parsed?.type === 'url_verification' ? { status: 200, contentType: 'text/plain', body: String(parsed.challenge) } : undefined;
    // Zoom docs: encryptedToken = crypto.createHmac('sha256', ZOOM_WEBHOOK_SECRET_TOKEN).update(plainToken).digest('hex').
    case 'zoom': {
      if (parsed?.event !== 'endpoint.url_validation') return undefined;
      const { plainToken } = parsed.payload as { plainToken: string };
      const encryptedToken = createHmac('sha256', secret).update(plainToken).digest('hex');
      return { status: 200, contentType: 'application/json', body: JSON.stringify({ plainToken, encryptedToken }) };
    }
    // Twitch EventSub: return the challenge as a raw string, status 200, text/plain.
    case 'twitch':
      return headers['twitch-eventsub-message-type'] === 'webhook_callback_verification'
        ? { status: 200, contentType: 'text/plain', body: String(parsed?.challenge) }
        : undefined;
    // Discord: ACK a PING (type 1) with {"type": 1}.
    case 'discord':
      return parsed?.type === 1 ? { status: 200, contentType: 'application/json', body: '{"type":1}' } : undefined;
    default:
      return undefined;
  }
}
