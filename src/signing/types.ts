/** Header values as node:http gives them: lower-case names, repeated headers as arrays. */
export type HeaderBag = Record<string, string | string[] | undefined>;

export interface SignInput {
  body: Uint8Array;
  secret: string;
  /** Unix seconds. */
  timestamp: number;
  /** The delivery/message id, for schemes that sign it. */
  id: string;
  /** Further secrets to sign with as well, for schemes that carry several signatures (key rotation). */
  extraSecrets?: readonly string[];
  /** The URL the request is sent to, for schemes that sign it (Twilio, Square, HubSpot). */
  url?: string;
  /** The HTTP method, for schemes that sign it; POST when absent. */
  method?: string;
}

export interface VerifyInput {
  body: Uint8Array;
  headers: HeaderBag;
  secret: string;
  /** Unix seconds; defaults to now. */
  now?: number;
  /** Overrides the scheme's own tolerance, in seconds. */
  toleranceSec?: number;
  /** The URL the request was sent to, for schemes that sign it. */
  url?: string;
  /** The HTTP method, for schemes that sign it; POST when absent. */
  method?: string;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** One signature scheme, configured with its header names. Pure: no I/O. */
export interface Signer {
  /** The headers this scheme writes, in their canonical case; removed before re-signing. */
  readonly headerNames: readonly string[];
  /** Timestamp tolerance in seconds, or undefined when the scheme signs no timestamp. */
  readonly toleranceSec: number | undefined;
  sign(input: SignInput): Record<string, string>;
  verify(input: VerifyInput): VerifyResult;
  /** For schemes that carry the signature inside the body (Mailgun, Adyen): the body to send instead. */
  signBody?(input: SignInput): Uint8Array;
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** One HMAC of the body written to one header. */
export interface HmacHeaderSpec {
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  header: string;
  prefix?: string;
}

/** A scheme as data, as it appears in a provider spec or a user's config file. */
export type SchemeSpec =
  | {
      type: 'hmac';
      algorithm: HmacAlgorithm;
      encoding: 'hex' | 'base64';
      header: string;
      /** Written before the digest, e.g. "sha256=". */
      prefix?: string;
      /** Further HMACs of the same body in headers of their own (GitHub's legacy X-Hub-Signature). */
      also?: readonly HmacHeaderSpec[];
    }
  | {
      type: 'standard-webhooks';
      idHeader?: string;
      timestampHeader?: string;
      signatureHeader?: string;
      toleranceSec?: number;
    }
  | { type: 'stripe'; header?: string; toleranceSec?: number }
  | { type: 'slack'; header?: string; timestampHeader?: string; toleranceSec?: number }
  | TemplatedHmacSpec
  | AsymmetricSpec
  | BodySignatureSpec
  | AdyenSpec
  | { type: 'token'; header: string; /** Written before the secret, e.g. "Bearer ". */ prefix?: string }
  | { type: 'basic-auth'; /** Used when the secret holds no "user:" part. */ username?: string };

export type DigestEncoding = 'hex' | 'base64' | 'base64url';

/**
 * An HMAC over a payload built from a template, in headers built from templates. Payload tokens:
 * {timestamp} {body} {id} {url} {method} {params} (sorted form parameters as key+value).
 * Header value tokens: {timestamp} {signature}.
 */
export interface TemplatedHmacSpec {
  type: 'templated-hmac';
  algorithm: HmacAlgorithm;
  encoding: DigestEncoding;
  /** e.g. "{timestamp}.{body}", "v0:{timestamp}:{body}", "{url}{params}". */
  payload: string;
  header: string;
  /** The header's value; "{signature}" when absent. e.g. "t={timestamp},v1={signature}". */
  value?: string;
  /** A header of its own for the timestamp, when the signature header does not embed it. */
  timestampHeader?: string;
  /** A header carrying the message id, when the payload signs {id}. */
  idHeader?: string;
  /** How the timestamp is written: unix seconds (default), unix milliseconds or ISO 8601. */
  timestampFormat?: 'unix' | 'unix-ms' | 'iso';
  /** How the secret becomes the key: as written (default), or decoded from base64/hex. */
  secretEncoding?: 'utf8' | 'base64' | 'hex';
  /** Seconds; none means the scheme signs no timestamp to check. */
  toleranceSec?: number;
}

/** A signature by a private key whcli holds; the handler checks it with the public key. */
export interface AsymmetricSpec {
  type: 'asymmetric';
  algorithm: 'ed25519' | 'ecdsa-p256';
  header: string;
  timestampHeader: string;
  /** e.g. "{timestamp}{body}". */
  payload: string;
  encoding: 'hex' | 'base64';
  /** How the handler is given the public key (see `whcli keys show`). */
  publicKeyFormat: 'raw-hex' | 'spki-base64' | 'pem';
  toleranceSec?: number;
}

/** A signature carried in the body itself (Mailgun): JSON dot paths, or form field names. */
export interface BodySignatureSpec {
  type: 'body-signature';
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  /** Where the timestamp, the random token and the signature go in the body. */
  fields: { timestamp: string; token: string; signature: string };
  /** What is signed, e.g. "{timestamp}{token}". */
  payload: string;
  toleranceSec?: number;
}

/** Adyen: HMAC-SHA256 (hex key) over fields of each notification item, in additionalData.hmacSignature. */
export interface AdyenSpec {
  type: 'adyen';
}

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function checkTimestamp(
  timestamp: number,
  now: number,
  toleranceSec: number,
): VerifyResult {
  if (!Number.isFinite(timestamp)) return { ok: false, reason: 'timestamp is not a number' };
  if (Math.abs(now - timestamp) > toleranceSec) {
    return { ok: false, reason: `timestamp is outside the ${toleranceSec}s tolerance` };
  }
  return { ok: true };
}
