import { WhcliError } from '../errors.js';
import { createSigner, type Signer } from '../signing/index.js';
import type { ProviderSpec } from './types.js';

const signers = new WeakMap<ProviderSpec, Signer>();

/** The signer for a provider's scheme, built once per provider. */
export function signerFor(provider: ProviderSpec): Signer {
  let signer = signers.get(provider);
  if (!signer) {
    signer = createSigner(provider.scheme);
    signers.set(provider, signer);
  }
  return signer;
}

export interface SignOptions {
  body: Uint8Array;
  secret: string;
  eventId: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** The URL the request goes to, for schemes that sign it. */
  url?: string;
  /** The HTTP method; POST when absent. */
  method?: string;
}

/** A signed request: its headers, and its body (changed only by schemes that sign inside it). */
export interface SignedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/** Signs a request as the provider would: signature headers, and the body for in-body schemes. */
export function signRequest(provider: ProviderSpec, options: SignOptions): SignedRequest {
  const signer = signerFor(provider);
  const input = {
    body: options.body,
    secret: options.secret,
    id: options.eventId,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    url: options.url,
    method: options.method,
  };
  try {
    // The body is passed on as is (the same bytes, not a copy) unless the scheme signs inside it.
    const body = signer.signBody ? Buffer.from(signer.signBody(input)) : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    return { headers: signer.sign({ ...input, body }), body };
  } catch (error) {
    throw new WhcliError('WHCLI_ERR_BAD_SECRET', `cannot sign for ${provider.name}: ${(error as Error).message}`, 2);
  }
}

/** The signature headers a provider would send with this body. */
export function signatureHeaders(provider: ProviderSpec, options: SignOptions): Record<string, string> {
  return signRequest(provider, options).headers;
}
