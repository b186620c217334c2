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
}

/** The signature headers a provider would send with this body. */
export function signatureHeaders(provider: ProviderSpec, options: SignOptions): Record<string, string> {
  return signerFor(provider).sign({
    body: options.body,
    secret: options.secret,
    id: options.eventId,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
  });
}
