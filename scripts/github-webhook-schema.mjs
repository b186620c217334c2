/**
 * GitHub's official webhook spec (@octokit/openapi-webhooks) as whcli reads it: the list of
 * webhooks by whcli event name and an ajv instance that validates a payload against its schema.
 * Shared by scripts/generate-github-fixtures.mjs and the tests that check the fixtures.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

export const SPEC_ID = 'https://api.github.com/webhooks.json';

/**
 * The spec, with one repair: a few properties read `{ allOf: [X], type: ["null"] }` (the 3.0 -> 3.1
 * conversion of "nullable X"), which no value satisfies; they mean "X or null" and are read so.
 */
export const spec = normalise(structuredClone(require('@octokit/openapi-webhooks/generated/api.github.com.json')));

function normalise(node) {
  if (Array.isArray(node)) node.forEach(normalise);
  else if (node && typeof node === 'object') {
    if (Array.isArray(node.allOf) && Array.isArray(node.type) && node.type.length === 1 && node.type[0] === 'null') {
      node.anyOf = [...node.allOf, { type: 'null' }];
      delete node.allOf;
      delete node.type;
    }
    Object.values(node).forEach(normalise);
  }
  return node;
}

/**
 * ajv over the whole spec, so each webhook's schema is found by its ref (see githubWebhooks).
 * Refs compiled once as functions of their own and no code optimisation: compiling all 261
 * schemas takes ~20 s so, several times that with ajv's defaults. `options` go to ajv.
 */
export function githubAjv(options = {}) {
  const ajv = new Ajv2020({ strict: false, inlineRefs: false, code: { optimize: false }, ...options });
  addFormats(ajv);
  ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
  ajv.addSchema({ ...spec, $id: SPEC_ID });
  return ajv;
}

/**
 * Every webhook in the spec, named as whcli names events: "<X-GitHub-Event>.<action>" when the
 * payload carries an action ("pull_request.opened"), the bare event otherwise ("push").
 */
export function githubWebhooks() {
  return Object.entries(spec.webhooks).map(([key, operations]) => {
    const op = Object.values(operations)[0];
    const ref = op.requestBody.content['application/json'].schema.$ref;
    const schema = spec.components.schemas[ref.split('/').pop()];
    const actionSchema = (schema.properties ?? schema.oneOf?.[0]?.properties)?.action;
    // repository_dispatch's action is whatever event_type the sender chose: named after the spec's sample.
    const action = actionSchema?.enum?.[0] ?? actionSchema?.const ?? (actionSchema ? op.operationId.split('/')[1] : undefined);
    // The spec's subcategory is X-GitHub-Event, written with hyphens in a few places (sub-issues).
    const event = op['x-github'].subcategory.replace(/-/g, '_');
    return {
      key,
      event,
      action,
      name: action ? `${event}.${action}` : event,
      ref: `${SPEC_ID}${ref}`,
      description: (op.description ?? op.summary).split('\n')[0],
      targets: op['x-github']['supported-webhook-types'],
    };
  });
}
