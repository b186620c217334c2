import { adyenSigner } from './adyen.js';
import { asymmetricSigner } from './asymmetric.js';
import { basicAuthSigner } from './basic-auth.js';
import { bodySignatureSigner } from './body-signature.js';
import { hmacSigner } from './hmac.js';
import { slackSigner } from './slack.js';
import { standardWebhooksSigner } from './standard-webhooks.js';
import { staticTokenSigner } from './static-token.js';
import { stripeSigner } from './stripe.js';
import { templatedHmacSigner } from './templated-hmac.js';
import type { SchemeSpec, Signer } from './types.js';

export type { AsymmetricSpec, HeaderBag, SchemeSpec, SignInput, Signer, VerifyInput, VerifyResult } from './types.js';

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
    case 'templated-hmac':
      return templatedHmacSigner(spec);
    case 'asymmetric':
      return asymmetricSigner(spec);
    case 'body-signature':
      return bodySignatureSigner(spec);
    case 'adyen':
      return adyenSigner();
    case 'token':
      return staticTokenSigner(spec);
    case 'basic-auth':
      return basicAuthSigner(spec);
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
    case 'templated-hmac':
      return `HMAC-${spec.algorithm.toUpperCase()} ${spec.encoding} of ${spec.payload}${spec.value ? ` as ${spec.value}` : ''}`;
    case 'asymmetric':
      return `${spec.algorithm === 'ed25519' ? 'Ed25519' : 'ECDSA P-256'} ${spec.encoding} of ${spec.payload}`;
    case 'body-signature':
      return `HMAC-${spec.algorithm.toUpperCase()} of ${spec.payload} in the body's ${spec.fields.signature}`;
    case 'adyen':
      return 'Adyen (HMAC-SHA256 base64 of item fields in additionalData.hmacSignature)';
    case 'token':
      return `static token in ${spec.header}`;
    case 'basic-auth':
      return 'HTTP Basic authentication';
  }
}

/** The families of signing scheme, for `whcli providers`. */
export const SCHEME_FAMILIES = {
  'body-hmac': 'HMAC of the raw body in one header',
  'timestamped-hmac': 'HMAC of a timestamp (and id) with the body',
  'url-signed': 'HMAC over the URL the handler is reached at, with the body or form parameters',
  asymmetric: 'a private-key signature (Ed25519, ECDSA P-256); the handler holds the public key',
  'body-embedded': 'a signature written inside the body',
  'static-token': 'a shared token or basic-auth credentials, no signature',
} as const;

export type SchemeFamily = keyof typeof SCHEME_FAMILIES;

/** Which family a scheme belongs to. */
export function schemeFamily(spec: SchemeSpec): SchemeFamily {
  switch (spec.type) {
    case 'hmac':
      return 'body-hmac';
    case 'templated-hmac':
      return spec.payload.includes('{url}') ? 'url-signed' : spec.payload.includes('{timestamp}') ? 'timestamped-hmac' : 'body-hmac';
    case 'asymmetric':
      return 'asymmetric';
    case 'body-signature':
    case 'adyen':
      return 'body-embedded';
    case 'token':
    case 'basic-auth':
      return 'static-token';
    default:
      return 'timestamped-hmac';
  }
}
