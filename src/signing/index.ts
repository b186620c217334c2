import { hmacSigner } from './hmac.js';
import { slackSigner } from './slack.js';
import { standardWebhooksSigner } from './standard-webhooks.js';
import { stripeSigner } from './stripe.js';
import type { SchemeSpec, Signer } from './types.js';

export type { HeaderBag, SchemeSpec, SignInput, Signer, VerifyInput, VerifyResult } from './types.js';

/** Builds the signer a scheme spec describes. */
export function createSigner(spec: SchemeSpec): Signer {
  switch (spec.type) {
    case 'hmac':
      return hmacSigner(spec);
    case 'standard-webhooks':
      return standardWebhooksSigner(spec);
    case 'stripe':
      return stripeSigner(spec);
    case 'slack':
      return slackSigner(spec);
  }
}

/** A one-line description of a scheme, for tables and --help. */
export function describeScheme(spec: SchemeSpec): string {
  switch (spec.type) {
    case 'hmac':
      return `HMAC-${spec.algorithm.toUpperCase()} ${spec.encoding} of body${spec.prefix ? ` ("${spec.prefix}" prefix)` : ''}`;
    case 'standard-webhooks':
      return 'Standard Webhooks (v1, base64 HMAC-SHA256 of id.ts.body)';
    case 'stripe':
      return 'Stripe (t=,v1= HMAC-SHA256 of ts.body)';
    case 'slack':
      return 'Slack (v0= HMAC-SHA256 of v0:ts:body)';
  }
}
