/**
 * Property tests for every signing scheme whcli ships (each built-in provider's, plus the variants a
 * config file can ask for): for arbitrary body bytes, secrets, ids and timestamps, sign() produces
 * exactly the headers the scheme's documented recipe gives (computed here with node:crypto, not with
 * src/), verify() accepts them, and rejects any flipped body byte, changed or missing header, wrong
 * secret, or timestamp shifted beyond the tolerance. Where an official library exists it must agree.
 */
import { verify as githubVerify } from '@octokit/webhooks-methods';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../../src/providers/builtin.js';
import { createSigner, type HeaderBag, type SchemeSpec } from '../../src/signing/index.js';
import { recordFigures } from '../helpers/reliability-report.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
let inputsTried = 0;

/** Schemes under test: every built-in provider's, and variants a whcli.config.json may declare. */
// The other families (templated, asymmetric, in-body, static token) are proven against their
// providers' own verifiers in test/unit/signing/families.test.ts and providers-oracles.test.ts.
const RECIPES_HERE = new Set<SchemeSpec['type']>(['hmac', 'stripe', 'slack', 'standard-webhooks']);
const SCHEMES: { name: string; spec: SchemeSpec }[] = [
  ...builtinProviders.filter((p) => RECIPES_HERE.has(p.scheme.type)).map((p) => ({ name: p.name, spec: p.scheme })),
  { name: 'config: hmac sha1 base64', spec: { type: 'hmac', algorithm: 'sha1', encoding: 'base64', header: 'X-Sig' } },
  { name: 'config: hmac sha512 hex with prefix', spec: { type: 'hmac', algorithm: 'sha512', encoding: 'hex', header: 'X-Sig', prefix: 'sha512=' } },
  { name: 'config: svix header names', spec: { type: 'standard-webhooks', idHeader: 'svix-id', timestampHeader: 'svix-timestamp', signatureHeader: 'svix-signature', toleranceSec: 60 } },
  { name: 'config: stripe-like, other header', spec: { type: 'stripe', header: 'X-Acme-Signature', toleranceSec: 30 } },
  { name: 'config: slack-like, other headers', spec: { type: 'slack', header: 'X-Acme-Sig', timestampHeader: 'X-Acme-Ts', toleranceSec: 120 } },
];

const hmac = (algorithm: string, key: string | Buffer, ...parts: (string | Uint8Array)[]) => {
  const h = createHmac(algorithm, key);
  for (const part of parts) h.update(part);
  return h;
};

/** The tolerance each scheme documents, undefined for schemes that sign no timestamp. */
function tolerance(spec: SchemeSpec): number | undefined {
  return spec.type === 'hmac' ? undefined : (spec.toleranceSec ?? 300);
}

/**
 * The headers the scheme's recipe prescribes, written from the providers' docs: lower-case names
 * (as node:http hands them over), values as the provider would send them.
 */
function expectedHeaders(spec: SchemeSpec, input: { body: Uint8Array; secret: string; timestamp: number; id: string }): Record<string, string> {
  const { body, secret, timestamp, id } = input;
  switch (spec.type) {
    case 'hmac':
      return Object.fromEntries(
        [spec, ...(spec.also ?? [])].map((h) => [h.header.toLowerCase(), (h.prefix ?? '') + hmac(h.algorithm, secret, body).digest(h.encoding)]),
      );
    case 'stripe':
      // https://docs.stripe.com/webhooks#verify-manually: HMAC-SHA256 of "<t>.<payload>", the secret as written.
      return { [(spec.header ?? 'Stripe-Signature').toLowerCase()]: `t=${timestamp},v1=${hmac('sha256', secret, `${timestamp}.`, body).digest('hex')}` };
    case 'slack':
      // https://api.slack.com/authentication/verifying-requests-from-slack: "v0:<ts>:<body>".
      return {
        [(spec.timestampHeader ?? 'X-Slack-Request-Timestamp').toLowerCase()]: String(timestamp),
        [(spec.header ?? 'X-Slack-Signature').toLowerCase()]: `v0=${hmac('sha256', secret, `v0:${timestamp}:`, body).digest('hex')}`,
      };
    case 'standard-webhooks': {
      // https://www.standardwebhooks.com: the key is the base64 after "whsec_"; "<id>.<ts>.<body>".
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      return {
        [(spec.idHeader ?? 'webhook-id').toLowerCase()]: id,
        [(spec.timestampHeader ?? 'webhook-timestamp').toLowerCase()]: String(timestamp),
        [(spec.signatureHeader ?? 'webhook-signature').toLowerCase()]: `v1,${hmac('sha256', key, `${id}.${timestamp}.`, body).digest('base64')}`,
      };
    }
  }
}

const lower = (headers: Record<string, string>): HeaderBag => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** Secrets as each scheme takes them: any text, or whsec_ + base64 of key bytes. */
function secretArb(spec: SchemeSpec): fc.Arbitrary<string> {
  if (spec.type === 'standard-webhooks') return fc.uint8Array({ minLength: 1, maxLength: 64 }).map((key) => `whsec_${Buffer.from(key).toString('base64')}`);
  return fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });
}

/** Two secrets that are different keys (UTF-8 bytes, or decoded base64, differ). */
function keyBytes(spec: SchemeSpec, secret: string): Buffer {
  return spec.type === 'standard-webhooks' ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

const bodyArb = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ unit: 'binary', maxLength: 512 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
);
const idArb = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && !s.includes(' '));
const timestampArb = fc.integer({ min: 1, max: 4_000_000_000 });

function signedInput(spec: SchemeSpec) {
  return fc.record({ body: bodyArb, secret: secretArb(spec), timestamp: timestampArb, id: idArb });
}

function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, runs = RUNS): void {
  fc.assert(
    fc.property(arb, (value) => {
      inputsTried += 1;
      predicate(value);
    }),
    { numRuns: runs },
  );
}

/** One character of `value` at `index` replaced by a different one from `alphabet`, never the same digit in another case. */
function replaceChar(value: string, index: number, pick: number, alphabet: string): string {
  const at = index % value.length;
  const current = value[at]!.toLowerCase();
  const choices = [...alphabet].filter((c) => c.toLowerCase() !== current);
  return value.slice(0, at) + choices[pick % choices.length]! + value.slice(at + 1);
}

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A change to one signed header, and whether it must be rejected (always, by construction). */
function mutateHeader(spec: SchemeSpec, headers: Record<string, string>, index: number, pick: number, delta: number): Record<string, string> {
  const out = { ...headers };
  const change = (name: string, fn: (v: string) => string) => (out[name.toLowerCase()] = fn(out[name.toLowerCase()]!));
  switch (spec.type) {
    case 'hmac': {
      const prefix = spec.prefix ?? '';
      change(spec.header, (v) => prefix + replaceChar(v.slice(prefix.length).replace(/=+$/, ''), index, pick, spec.encoding === 'hex' ? HEX : B64) + v.slice(prefix.length).match(/=*$/)![0]);
      return out;
    }
    case 'stripe':
      change(spec.header ?? 'Stripe-Signature', (v) => {
        const [t, v1] = v.split(',') as [string, string];
        return pick % 2 ? `t=${Number(t.slice(2)) + delta},${v1}` : `${t},v1=${replaceChar(v1.slice(3), index, pick, HEX)}`;
      });
      return out;
    case 'slack': {
      const which = pick % 2 ? (spec.timestampHeader ?? 'X-Slack-Request-Timestamp') : (spec.header ?? 'X-Slack-Signature');
      change(which, (v) => (pick % 2 ? String(Number(v) + delta) : `v0=${replaceChar(v.slice(3), index, pick, HEX)}`));
      return out;
    }
    case 'standard-webhooks': {
      const kind = pick % 3;
      if (kind === 0) change(spec.idHeader ?? 'webhook-id', (v) => `${v}x`);
      else if (kind === 1) change(spec.timestampHeader ?? 'webhook-timestamp', (v) => String(Number(v) + delta));
      else change(spec.signatureHeader ?? 'webhook-signature', (v) => `v1,${replaceChar(v.slice(3).replace(/=+$/, ''), index, pick, B64)}${v.match(/=*$/)![0]}`);
      return out;
    }
  }
}

describe.each(SCHEMES)('signing scheme of $name', ({ spec }) => {
  const signer = createSigner(spec);
  const tol = tolerance(spec);

  it('signs exactly as the documented recipe, and verifies what it signed', () => {
    check(signedInput(spec), (input) => {
      const headers = signer.sign(input);
      expect(lower(headers)).toEqual(expectedHeaders(spec, input));
      expect(signer.verify({ body: input.body, headers: lower(headers), secret: input.secret, now: input.timestamp })).toEqual({ ok: true });
    });
  });

  it('rejects the signature once any byte of the body is flipped', () => {
    check(fc.record({ input: signedInput(spec), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), ({ input, at, mask }) => {
      const headers = lower(signer.sign(input));
      const body = Buffer.from(input.body);
      const tampered = body.length === 0 ? Buffer.from([mask]) : Buffer.from(body);
      if (body.length > 0) tampered[at % body.length] = tampered[at % body.length]! ^ mask;
      expect(signer.verify({ body: tampered, headers, secret: input.secret, now: input.timestamp }).ok).toBe(false);
    });
  });

  it('rejects a changed or missing signed header', () => {
    check(
      fc.record({ input: signedInput(spec), index: fc.nat(), pick: fc.nat(), delta: fc.integer({ min: -(tol ?? 300), max: tol ?? 300 }).filter((d) => d !== 0), drop: fc.nat() }),
      ({ input, index, pick, delta, drop }) => {
        const headers = lower(signer.sign(input));
        const changed = mutateHeader(spec, headers as Record<string, string>, index, pick, delta);
        expect(changed).not.toEqual(headers);
        expect(signer.verify({ body: input.body, headers: changed, secret: input.secret, now: input.timestamp }).ok).toBe(false);
        // Every header is needed, but an hmac scheme's further headers (GitHub's legacy one) are optional.
        const names = spec.type === 'hmac' ? [spec.header.toLowerCase()] : Object.keys(headers);
        const missing = { ...headers };
        delete missing[names[drop % names.length]!];
        expect(signer.verify({ body: input.body, headers: missing, secret: input.secret, now: input.timestamp }).ok).toBe(false);
      },
    );
  });

  it('rejects a signature made with another secret', () => {
    check(fc.record({ input: signedInput(spec), other: secretArb(spec) }), ({ input, other }) => {
      fc.pre(!keyBytes(spec, other).equals(keyBytes(spec, input.secret)));
      const headers = lower(signer.sign({ ...input, secret: other }));
      expect(signer.verify({ body: input.body, headers, secret: input.secret, now: input.timestamp }).ok).toBe(false);
    });
  });

  if (tol !== undefined) it('accepts a timestamp within the tolerance and rejects one shifted beyond it', () => {
    const t = tol!;
    check(
      fc.record({ input: signedInput(spec), inside: fc.integer({ min: -t, max: t }), beyond: fc.integer({ min: t + 1, max: t + 10 * 365 * 86_400 }), sign: fc.boolean() }),
      ({ input, inside, beyond, sign }) => {
        const headers = lower(signer.sign(input));
        expect(signer.verify({ body: input.body, headers, secret: input.secret, now: input.timestamp + inside }).ok).toBe(true);
        const now = input.timestamp + (sign ? beyond : -beyond);
        expect(signer.verify({ body: input.body, headers, secret: input.secret, now }).ok).toBe(false);
      },
    );
  });
});

describe('official libraries agree with sign() on arbitrary text bodies and secrets', () => {
  const stripe = new Stripe('sk_test_not_used');
  // The libraries take a string and want a non-empty JSON document (standardwebhooks parses it):
  // arbitrary JSON values and text, laid out with arbitrary indentation.
  const textBody = fc
    .record({ text: fc.string({ unit: 'binary', maxLength: 200 }), value: fc.jsonValue({ maxDepth: 3 }), indent: fc.nat({ max: 4 }) })
    .map(({ text, value, indent }) => JSON.stringify({ text, value }, null, indent));
  const now = () => Math.floor(Date.now() / 1000);

  it('stripe-node verifies Stripe signatures', () => {
    const signer = createSigner({ type: 'stripe' });
    // stripe-node refuses a blank secret before checking anything; Stripe's are whsec_ + text.
    const secretArb = fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => `whsec_${s}`);
    check(fc.record({ body: textBody, secret: secretArb }), ({ body, secret }) => {
      const header = signer.sign({ body: Buffer.from(body), secret, timestamp: now(), id: 'unused' })['Stripe-Signature']!;
      expect(stripe.webhooks.signature!.verifyHeader(body, header, secret)).toBe(true);
    });
  });

  it('the standardwebhooks library verifies Standard Webhooks signatures', () => {
    const signer = createSigner({ type: 'standard-webhooks' });
    check(fc.record({ body: textBody, key: fc.uint8Array({ minLength: 1, maxLength: 64 }), id: idArb }), ({ body, key, id }) => {
      const secret = `whsec_${Buffer.from(key).toString('base64')}`;
      const headers = signer.sign({ body: Buffer.from(body), secret, timestamp: now(), id });
      expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    });
  });

  it('@octokit/webhooks-methods verifies GitHub signatures', async () => {
    const github = builtinProviders.find((p) => p.name === 'github')!;
    const signer = createSigner(github.scheme);
    await fc.assert(
      fc.asyncProperty(textBody, fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }), async (body, secret) => {
        inputsTried += 1;
        const header = Object.values(signer.sign({ body: Buffer.from(body), secret, timestamp: now(), id: 'unused' }))[0]!;
        expect(await githubVerify(secret, body, header)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    recordFigures('property', 'signing', { schemes: SCHEMES.length, inputs: inputsTried });
  });
});
