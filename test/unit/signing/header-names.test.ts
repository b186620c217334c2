/**
 * headerNames must list exactly the headers sign() writes (the relay strips them before
 * re-signing), for every built-in provider and for each scheme's defaults.
 */
import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../../../src/providers/builtin.js';
import { createSigner, type SchemeSpec } from '../../../src/signing/index.js';
import { generatePrivateKey } from '../../../src/signing/asymmetric.js';
import { PROVIDER_ORACLES } from '../../helpers/provider-oracles.js';
import { SIMPLE_BODY, nameSet } from './support.js';

// The standard-webhooks scheme decodes its secret as base64; every scheme accepts this one.
const SHARED_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = `whsec_${Buffer.from('a rotated key, 32 bytes long!!!!').toString('base64')}`;

const schemes: [string, SchemeSpec][] = [
  ...builtinProviders.map((p): [string, SchemeSpec] => [`provider ${p.name}`, p.scheme]),
  ['stripe defaults', { type: 'stripe' }],
  ['slack defaults', { type: 'slack' }],
  ['standard-webhooks defaults', { type: 'standard-webhooks' }],
  [
    'svix header names',
    { type: 'standard-webhooks', idHeader: 'svix-id', timestampHeader: 'svix-timestamp', signatureHeader: 'svix-signature' },
  ],
  ['custom stripe-style header', { type: 'stripe', header: 'X-Acme-Signature' }],
  ['custom slack-style headers', { type: 'slack', header: 'X-Acme-Sig', timestampHeader: 'X-Acme-Ts' }],
  ['custom hmac', { type: 'hmac', algorithm: 'sha1', encoding: 'base64', header: 'X-Acme-Hmac', prefix: 'sha1=' }],
];

describe.each(schemes)('%s', (_, scheme) => {
  const signer = createSigner(scheme);
  // An asymmetric scheme signs with a private key, not a shared secret.
  const SECRET = scheme.type === 'asymmetric' ? generatePrivateKey(scheme.algorithm) : SHARED_SECRET;

  it('headerNames lists exactly the headers sign() writes', () => {
    const headers = signer.sign({ body: SIMPLE_BODY, secret: SECRET, timestamp: 1_700_000_000, id: 'evt_1' });
    expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(headers)));
  });

  it('...also when signing with extra secrets', () => {
    const headers = signer.sign({
      body: SIMPLE_BODY,
      secret: SECRET,
      timestamp: 1_700_000_000,
      id: 'evt_1',
      extraSecrets: [OTHER],
    });
    expect(nameSet(signer.headerNames)).toEqual(nameSet(Object.keys(headers)));
  });

  it('headerNames has no duplicates, even ignoring case', () => {
    const lower = signer.headerNames.map((h) => h.toLowerCase());
    expect(new Set(lower).size).toBe(lower.length);
  });

  it('sign() fills every header it writes', () => {
    const headers = signer.sign({ body: SIMPLE_BODY, secret: SECRET, timestamp: 1_700_000_000, id: 'evt_1' });
    for (const value of Object.values(headers)) expect(value).not.toBe('');
  });
});

it('every built-in provider has an oracle test', () => {
  // Keep in step with stripe/standard-webhooks/slack/hmac-providers/seed-providers .test.ts here, and
  // test/integration/providers-oracles.test.ts for the rest.
  const covered = ['stripe', 'standard-webhooks', 'slack', 'github', 'shopify', 'paystack', 'hackmamba', 'lahza', 'lava', 'laabam', 'lehjah', ...Object.keys(PROVIDER_ORACLES)];
  expect(builtinProviders.map((p) => p.name).sort()).toEqual([...covered].sort());
});
