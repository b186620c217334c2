import { safeEqual } from './compare.js';
import { headerValue, type Signer } from './types.js';

/** The secret itself in a header (GitLab X-Gitlab-Token, Flutterwave verif-hash): no signature at all. */
export function staticTokenSigner({ header, prefix = '' }: { header: string; prefix?: string }): Signer {
  return {
    headerNames: [header],
    toleranceSec: undefined,
    sign: ({ secret }) => ({ [header]: prefix + secret }),
    verify: ({ headers, secret }) => {
      const received = headerValue(headers, header);
      if (!received) return { ok: false, reason: `missing ${header} header` };
      return safeEqual(received, prefix + secret) ? { ok: true } : { ok: false, reason: `${header} is not the secret` };
    },
  };
}
