import { createHmac } from 'node:crypto';
import { safeEqual } from './compare.js';
import { checkTimestamp, headerValue, type Signer } from './types.js';

export interface SlackOptions {
  header?: string;
  timestampHeader?: string;
  toleranceSec?: number;
}

function signature(secret: string, timestamp: number, body: Uint8Array): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex');
}

/** Slack: `X-Slack-Signature: v0=<hex>` over `v0:<ts>:<body>`, with `X-Slack-Request-Timestamp`. */
export function slackSigner({
  header = 'X-Slack-Signature',
  timestampHeader = 'X-Slack-Request-Timestamp',
  toleranceSec = 300,
}: SlackOptions = {}): Signer {
  return {
    headerNames: [header, timestampHeader],
    toleranceSec,
    sign: ({ body, secret, timestamp }) => ({
      [timestampHeader]: String(timestamp),
      [header]: signature(secret, timestamp, body),
    }),
    verify: ({ body, headers, secret, now = Math.floor(Date.now() / 1000), toleranceSec: tol }) => {
      const value = headerValue(headers, header);
      const ts = Number(headerValue(headers, timestampHeader));
      if (!value) return { ok: false, reason: `missing ${header} header` };
      const fresh = checkTimestamp(ts, now, tol ?? toleranceSec);
      if (!fresh.ok) return fresh;
      return safeEqual(value, signature(secret, ts, body))
        ? { ok: true }
        : { ok: false, reason: `${header} does not match the body` };
    },
  };
}
