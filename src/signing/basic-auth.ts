import { safeEqual } from './compare.js';
import { headerValue, type Signer } from './types.js';

/** "user:password" as the secret (or just a password, with the scheme's username). */
function credentials(secret: string, username: string): string {
  return secret.includes(':') ? secret : `${username}:${secret}`;
}

/** HTTP Basic authentication on the webhook URL (Postmark): the credentials are the shared secret. */
export function basicAuthSigner({ username = 'whcli' }: { username?: string }): Signer {
  const expected = (secret: string) => `Basic ${Buffer.from(credentials(secret, username)).toString('base64')}`;
  return {
    headerNames: ['Authorization'],
    toleranceSec: undefined,
    sign: ({ secret }) => ({ Authorization: expected(secret) }),
    verify: ({ headers, secret }) => {
      const received = headerValue(headers, 'Authorization');
      if (!received) return { ok: false, reason: 'missing Authorization header' };
      return safeEqual(received, expected(secret)) ? { ok: true } : { ok: false, reason: 'Authorization does not carry the credentials' };
    },
  };
}
