import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePrivateKey } from '../signing/asymmetric.js';
import type { AsymmetricSpec } from '../signing/index.js';

/** Where a provider's private key lives: <config dir>/keys/<provider>.pem. */
export function keyPath(configDir: string, providerName: string): string {
  return join(configDir, 'keys', `${providerName}.pem`);
}

/**
 * The provider's stored private key (PKCS#8 PEM), created on first use: the directory 0700 and the
 * file 0600, since anyone holding it can sign as the provider.
 */
export function loadOrCreateKey(configDir: string, providerName: string, algorithm: AsymmetricSpec['algorithm']): { pem: string; path: string; created: boolean } {
  const path = keyPath(configDir, providerName);
  try {
    return { pem: readFileSync(path, 'utf8'), path, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const dir = join(configDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const pem = generatePrivateKey(algorithm);
  // "wx": two processes creating the key at once keep the first one's.
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { pem: readFileSync(path, 'utf8'), path, created: false };
    throw error;
  }
  return { pem, path, created: true };
}
