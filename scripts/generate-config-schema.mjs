#!/usr/bin/env node
// Writes schema/whcli.config.schema.json from the zod schema that reads whcli.config.json
// (src/config/config-file.ts, built to dist/). Run after `npm run build`:
//
//   node scripts/generate-config-schema.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { configJsonSchema } = await import(new URL('../dist/config/config-json-schema.js', import.meta.url).href);
mkdirSync(`${ROOT}schema`, { recursive: true });
writeFileSync(`${ROOT}schema/whcli.config.schema.json`, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log('schema/whcli.config.schema.json written');
