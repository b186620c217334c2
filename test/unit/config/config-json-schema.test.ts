/**
 * schema/whcli.config.schema.json: generated from the zod schema the reader uses (never by hand),
 * shipped in the package, and it agrees with the reader: what init writes ($schema included) is
 * valid, unknown keys are not. Checked with ajv, an independent JSON Schema validator.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_REF } from '../../../src/commands/init.js';
import { configJsonSchema } from '../../../src/config/config-json-schema.js';

const shipped = JSON.parse(readFileSync(new URL('../../../schema/whcli.config.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(shipped);

describe('schema/whcli.config.schema.json', () => {
  it('is exactly what the zod schema gives (rerun scripts/generate-config-schema.mjs after changing it)', () => {
    expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('is in the package files', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schema');
    expect(CONFIG_SCHEMA_REF).toBe('./node_modules/whcli/schema/whcli.config.schema.json');
  });

  it.each([
    ['what init writes', { $schema: CONFIG_SCHEMA_REF, provider: 'stripe', forward: 'localhost:3000/webhooks', secret: 'whsec_x' }],
    ['events as names', { provider: 'github', events: ['push', 'ping'] }],
    [
      'a provider of your own, with a JSON layout',
      {
        provider: 'acme',
        providers: [
          {
            name: 'acme',
            scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'X-Acme-Signature', prefix: 'sha256=' },
            envelope: { template: { kind: '{{event}}', payload: '{{data}}' }, typeFrom: { path: 'kind' } },
            events: ['order.created', { name: 'order.shipped', description: 'An order left the warehouse' }],
            json: { indent: 2, trailingNewline: true },
            retries: [{ delay: '1m', count: 3 }],
          },
          { name: 'stripe', json: { indent: 0 } },
        ],
      },
    ],
  ])('accepts %s', (_, config) => {
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown top-level key', { secrets: 'x' }],
    ['an unknown provider key', { providers: [{ name: 'acme', envelop: {} }] }],
    ['an unknown scheme key', { providers: [{ name: 'acme', scheme: { type: 'stripe', headr: 'X' } }] }],
    ['a bad layout', { providers: [{ name: 'stripe', json: { indent: -1 } }] }],
    ['a bad provider name', { providers: [{ name: 'Acme Corp' }] }],
  ])('refuses %s', (_, config) => {
    expect(validate(config)).toBe(false);
  });
});
