import { type Environment, loadContext } from '../context.js';
import { UsageError } from '../errors.js';
import { whcliPaths } from '../paths.js';
import { loadOrCreateKey } from '../providers/key-store.js';
import { formatPublicKey, isPrivateKeyPem } from '../signing/asymmetric.js';

export interface KeysShowOptions {
  config?: string;
  /** Print the public key as PEM instead of the provider's own form. */
  pem?: boolean;
}

export interface KeysShowResult {
  provider: string;
  algorithm: 'ed25519' | 'ecdsa-p256';
  /** The public key in the form the provider's handler expects (or PEM when asked). */
  publicKey: string;
  format: 'raw-hex' | 'spki-base64' | 'pem';
  /** Where the private key is kept (never printed), or "WHCLI_SECRET"/"config" when one was given. */
  privateKeySource: string;
  created: boolean;
}

/** The public half of the key pair whcli signs with for an asymmetric provider, made on first use. */
export async function keysShow(providerName: string, options: KeysShowOptions, deps: { environment: Environment }): Promise<KeysShowResult> {
  const { config, catalogue } = await loadContext(deps.environment, options.config);
  const provider = catalogue.provider(providerName);
  const { scheme } = provider;
  if (scheme.type !== 'asymmetric') {
    const asymmetric = catalogue.providers.filter((p) => p.scheme.type === 'asymmetric').map((p) => p.name);
    throw new UsageError(`${provider.name} signs with a shared secret, not a key pair: keys are for ${asymmetric.join(', ') || 'asymmetric providers'}`);
  }
  const format = options.pem ? 'pem' : scheme.publicKeyFormat;
  // The same order `trigger` resolves a signing key in, so the key shown is the one used.
  const fromEnv = isPrivateKeyPem(deps.environment.env.WHCLI_SECRET);
  const fromConfig = !fromEnv && isPrivateKeyPem(config?.secret);
  if (fromEnv || fromConfig) {
    const pem = (fromEnv ? deps.environment.env.WHCLI_SECRET : config?.secret)!;
    return { provider: provider.name, algorithm: scheme.algorithm, publicKey: formatPublicKey(pem, format), format, privateKeySource: fromEnv ? 'WHCLI_SECRET' : 'config', created: false };
  }
  const stored = loadOrCreateKey(whcliPaths(deps.environment).config, provider.name, scheme.algorithm);
  return { provider: provider.name, algorithm: scheme.algorithm, publicKey: formatPublicKey(stored.pem, format), format, privateKeySource: stored.path, created: stored.created };
}
