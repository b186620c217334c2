import * as z from 'zod';
import { configSchema } from './config-file.js';

/**
 * The JSON Schema of whcli.config.json, derived from the zod schema the reader uses so the two
 * cannot drift: schema/whcli.config.schema.json is this, written by scripts/generate-config-schema.mjs.
 */
export function configJsonSchema(): Record<string, unknown> {
  // "input": the file as written (an event may be a plain name), not as parsed.
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'whcli.config.json',
    description: 'whcli configuration: the default provider, handler and secret, and your own or overridden providers.',
    ...schema,
  };
}
