import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { fillTemplate } from './payload-template.js';
import { checkTimestamp, headerValue, type AsymmetricSpec, type Signer } from './types.js';

/** A fresh private key for the scheme, as PKCS#8 PEM: what whcli stores and signs with. */
export function generatePrivateKey(algorithm: AsymmetricSpec['algorithm']): string {
  const { privateKey } =
    algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The public key in the form a handler is configured with: Discord wants raw hex, SendGrid base64 SPKI. */
export function formatPublicKey(privateKeyPem: string, format: AsymmetricSpec['publicKeyFormat']): string {
  const publicKey = createPublicKey(createPrivateKey(privateKeyPem));
  if (format === 'pem') return publicKey.export({ type: 'spki', format: 'pem' }).toString().trim();
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // An Ed25519 SPKI is a fixed 12-byte prefix followed by the 32-byte key.
  return format === 'raw-hex' ? spki.subarray(spki.length - 32).toString('hex') : spki.toString('base64');
}

/** True when the text is a PEM private key (what an asymmetric scheme's "secret" holds). */
export function isPrivateKeyPem(text: string | undefined): text is string {
  return text !== undefined && /-----BEGIN (?:EC )?PRIVATE KEY-----/.test(text);
}

function keyFrom(secret: string): KeyObject {
  try {
    return createPrivateKey(secret);
  } catch {
    throw new Error('an asymmetric scheme needs a PEM private key as its secret (see `whcli keys show`)');
  }
}

/** Ed25519 (Discord) or ECDSA P-256 over SHA-256 with a DER signature (SendGrid). */
export function asymmetricSigner(spec: AsymmetricSpec): Signer {
  const toleranceSec = spec.toleranceSec ?? 300;
  const hash = spec.algorithm === 'ed25519' ? null : 'sha256';
  return {
    headerNames: [spec.header, spec.timestampHeader],
    toleranceSec,
    sign: ({ body, secret, timestamp }) => {
      const payload = fillTemplate(spec.payload, { timestamp: String(timestamp), body });
      return {
        [spec.header]: sign(hash, payload, keyFrom(secret)).toString(spec.encoding),
        [spec.timestampHeader]: String(timestamp),
      };
    },
    verify: ({ body, headers, secret, now = Math.floor(Date.now() / 1000), toleranceSec: tol }) => {
      const signature = headerValue(headers, spec.header);
      const timestamp = headerValue(headers, spec.timestampHeader);
      if (!signature || !timestamp) return { ok: false, reason: `missing ${spec.header} or ${spec.timestampHeader}` };
      const payload = fillTemplate(spec.payload, { timestamp, body });
      let valid = false;
      try {
        // The secret is the private key; its public half is what a handler holds.
        valid = verify(hash, payload, createPublicKey(keyFrom(secret)), Buffer.from(signature, spec.encoding));
      } catch {
        valid = false;
      }
      if (!valid) return { ok: false, reason: `${spec.header} does not verify with the public key` };
      return checkTimestamp(Number(timestamp), now, tol ?? toleranceSec);
    },
  };
}
