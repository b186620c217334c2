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
}

export interface VerifyInput {
  body: Uint8Array;
  headers: HeaderBag;
  secret: string;
  /** Unix seconds; defaults to now. */
  now?: number;
  /** Overrides the scheme's own tolerance, in seconds. */
  toleranceSec?: number;
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
  | { type: 'slack'; header?: string; timestampHeader?: string; toleranceSec?: number };

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
