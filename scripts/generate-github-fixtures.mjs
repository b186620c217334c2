#!/usr/bin/env node
/**
 * Generates fixtures/github/<event>.json and fixtures/github/events.json from GitHub's official
 * webhook spec (@octokit/openapi-webhooks) and the real payloads of @octokit/webhooks-examples.
 * Runs offline from node_modules: `node scripts/generate-github-fixtures.mjs`.
 *
 * For each webhook (event + action) in the spec:
 *  1. start from a real payload: the spec's own example, else a webhooks-examples payload of the same
 *     event and action;
 *  2. repair it against the official schema (ajv): missing required properties are synthesized from
 *     the schema, properties the schema forbids are dropped, values of the wrong shape replaced;
 *     with no real payload, synthesize the whole body from the schema;
 *  3. put "{{iso}}" in every updated_at so each send is fresh.
 * URLs are synthesized as GitHub's API writes them, from the login / full_name / id of the object
 * they belong to, so a fixture stays consistent with its own repository and owner.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { githubAjv, githubWebhooks, SPEC_ID, spec } from './github-webhook-schema.mjs';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'fixtures', 'github');
const examples = require('@octokit/webhooks-examples');

// ---- synthesis ---------------------------------------------------------------------------------

const resolve = (schema) => {
  let node = schema;
  while (node && node.$ref) node = spec.components.schemas[node.$ref.split('/').pop()];
  return node ?? {};
};

/** A stable number from a string: the same fixture comes out on every run. */
const stableId = (seed, digits = 9) => 10 ** (digits - 1) + (parseInt(createHash('sha256').update(seed).digest('hex').slice(0, 12), 16) % (9 * 10 ** (digits - 1)));
const sha = (seed) => createHash('sha1').update(seed).digest('hex');
const nodeId = (prefix, id) => `${prefix}_kgDO${Buffer.from(String(id)).toString('base64').replace(/=+$/, '')}`;

const API = 'https://api.github.com';
const WEB = 'https://github.com';
const OWNER = 'acme-payments';
const REPO = `${OWNER}/checkout-service`;
const TIME = '2025-01-15T10:30:00Z';

const userUrls = (login, id) => ({
  url: `${API}/users/${login}`,
  html_url: `${WEB}/${login}`,
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  followers_url: `${API}/users/${login}/followers`,
  following_url: `${API}/users/${login}/following{/other_user}`,
  gists_url: `${API}/users/${login}/gists{/gist_id}`,
  starred_url: `${API}/users/${login}/starred{/owner}{/repo}`,
  subscriptions_url: `${API}/users/${login}/subscriptions`,
  organizations_url: `${API}/users/${login}/orgs`,
  repos_url: `${API}/users/${login}/repos`,
  events_url: `${API}/users/${login}/events{/privacy}`,
  received_events_url: `${API}/users/${login}/received_events`,
});

const orgUrls = (login, id) => ({
  url: `${API}/orgs/${login}`,
  html_url: `${WEB}/${login}`,
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  repos_url: `${API}/orgs/${login}/repos`,
  events_url: `${API}/orgs/${login}/events`,
  hooks_url: `${API}/orgs/${login}/hooks`,
  issues_url: `${API}/orgs/${login}/issues`,
  members_url: `${API}/orgs/${login}/members{/member}`,
  public_members_url: `${API}/orgs/${login}/public_members{/member}`,
});

const repoUrls = (full) => {
  const api = `${API}/repos/${full}`;
  return {
    url: api,
    html_url: `${WEB}/${full}`,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    git_url: `git://github.com/${full}.git`,
    ssh_url: `git@github.com:${full}.git`,
    clone_url: `${WEB}/${full}.git`,
    svn_url: `${WEB}/${full}`,
  };
};

/** The repository a payload speaks of: its own when it has one, else whcli's sample repository. */
const repoOf = (root) => (typeof root?.repository?.full_name === 'string' ? root.repository.full_name : REPO);

/** A URL for property `key` of object `obj` (under `parentKey`), as GitHub's API would write it. */
function urlFor(key, obj, parentKey, root) {
  if (typeof obj.full_name === 'string' && repoUrls(obj.full_name)[key]) return repoUrls(obj.full_name)[key];
  if (typeof obj.login === 'string') {
    // Organization objects use /orgs/ URLs; a user-shaped object (an org as repository owner) keeps /users/.
    const org = /^(organization|org)$/.test(parentKey ?? '');
    const table = org && orgUrls(obj.login, obj.id)[key] ? orgUrls(obj.login, obj.id) : userUrls(obj.login, obj.id);
    if (table[key]) return table[key];
  }
  const full = repoOf(root);
  const plural = parentKey ? `${parentKey.replace(/_/g, '-')}s` : 'items';
  const api = typeof obj.url === 'string' && obj.url.startsWith(API) ? obj.url : `${API}/repos/${full}/${plural}/${obj.id ?? obj.number ?? 1}`;
  if (key === 'url') return api;
  if (key === 'html_url') return api.replace(`${API}/repos/`, `${WEB}/`).replace(API, WEB);
  if (key === 'avatar_url') return `https://avatars.githubusercontent.com/u/${obj.id ?? 1}?v=4`;
  return `${api}/${key.replace(/_url$/, '').replace(/_/g, '-')}`;
}

const isUrlKey = (key) => key === 'url' || /_url$/.test(key ?? '');

/** A value for `schema`, found at property `key` of an object under `parentKey`. */
function synth(schema, ctx) {
  const s = resolve(schema);
  if ('const' in s) return s.const;
  if (Array.isArray(s.type) && s.type.every((t) => t === 'null')) return null;
  if (s.enum) return s.enum.find((v) => v !== null) ?? s.enum[0];
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const resolved = branches.map(resolve);
    const pick = resolved.find((b) => b.type === 'object' || b.properties) ?? resolved.find((b) => b.type !== 'null') ?? resolved[0];
    return synth(pick, ctx);
  }
  if (s.allOf) return s.allOf.map((b) => synth(b, ctx)).reduce((a, b) => (a && typeof a === 'object' && b && typeof b === 'object' ? { ...a, ...b } : b));
  let type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : s.type;
  if (!type) type = s.properties ? 'object' : s.items ? 'array' : 'string';
  const key = ctx.key ?? '';
  switch (type) {
    case 'object':
      return synthObject(s, ctx);
    case 'array':
      return s.minItems ? Array.from({ length: s.minItems }, () => synth(s.items ?? {}, { ...ctx })) : [];
    case 'integer':
    case 'number':
      if (key === 'id' || /_id$/.test(key)) return stableId(`${ctx.path}`);
      if (key === 'number') return 42;
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return synthString(s, ctx);
  }
}

function synthString(s, { key = '', path, obj, parentKey, root }) {
  if (s.format === 'date-time') return TIME;
  if (s.format === 'date') return TIME.slice(0, 10);
  if (s.format === 'email') return 'octocat@example.com';
  if (isUrlKey(key) || s.format === 'uri' || s.format === 'uri-template') return urlFor(key || 'url', obj ?? {}, parentKey, root);
  if (key === 'gravatar_id') return '';
  if (key === 'node_id') return nodeId('MDQ', stableId(path));
  if (/(^|_)sha$/.test(key) || key === 'head_sha' || key === 'after' || key === 'before') return sha(path);
  if (key === 'login') return parentKey && /org|owner/.test(parentKey) ? OWNER : 'octocat';
  if (key === 'full_name') return REPO;
  if (key === 'name') return parentKey === 'repository' ? REPO.split('/')[1] : `${(parentKey ?? 'item').replace(/_/g, '-')}-1`;
  if (key === 'ref') return 'refs/heads/main';
  if (key === 'state') return 'open';
  if (key === 'type') return parentKey && /org|owner/.test(parentKey) ? 'Organization' : 'User';
  if (s.pattern === '^[0-9a-f]{40}$') return sha(path);
  if (key === 'body' || key === 'description') return null === s ? '' : `Example ${parentKey ?? 'value'}`;
  return `example-${key.replace(/_/g, '-') || 'value'}`;
}

/** Required properties first (non-URL before URL, so URLs see login/full_name/id), each synthesized. */
function synthObject(s, ctx) {
  const obj = {};
  const keys = s.required ?? [];
  const order = [...keys.filter((k) => !isUrlKey(k)), ...keys.filter(isUrlKey)];
  for (const key of order) {
    const child = s.properties?.[key] ?? {};
    obj[key] = synth(child, { ...ctx, key, path: `${ctx.path}.${key}`, obj, parentKey: ctx.key, root: ctx.root ?? obj });
  }
  // Keep the schema's property order, as GitHub does.
  return Object.fromEntries(Object.keys(s.properties ?? {}).filter((k) => k in obj).map((k) => [k, obj[k]]).concat(Object.entries(obj).filter(([k]) => !(k in (s.properties ?? {})))));
}

// ---- repair against the schema -------------------------------------------------------------------

const pointer = (p) => (p === '' ? [] : p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')));
const get = (root, parts) => parts.reduce((node, k) => (node == null ? undefined : node[k]), root);
function set(root, parts, value) {
  const parent = get(root, parts.slice(0, -1));
  parent[parts.at(-1)] = value;
}

function repair(payload, validate) {
  for (let round = 0; round < 60; round += 1) {
    if (validate(payload)) return payload;
    // Deepest first: fixing a child can satisfy its parent's anyOf.
    const errors = [...validate.errors].sort((a, b) => pointer(b.instancePath).length - pointer(a.instancePath).length);
    const error = errors.find((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword)) ?? errors[0];
    const parts = pointer(error.instancePath);
    const keyOf = (ps) => [...ps].reverse().find((p) => !/^\d+$/.test(p));
    const ctxAt = (ps, key) => ({ key, path: ps.join('.'), obj: get(payload, ps.slice(0, -1)) ?? {}, parentKey: keyOf(ps.slice(0, -1)), root: payload });
    switch (error.keyword) {
      case 'required': {
        const missing = error.params.missingProperty;
        const target = get(payload, parts);
        target[missing] = synth(error.parentSchema.properties?.[missing] ?? {}, { key: missing, path: [...parts, missing].join('.'), obj: target, parentKey: keyOf(parts), root: payload });
        break;
      }
      case 'additionalProperties':
        delete get(payload, parts)[error.params.additionalProperty];
        break;
      case 'unevaluatedProperties':
        delete get(payload, parts)[error.params.unevaluatedProperty];
        break;
      default: {
        if (parts.length === 0) throw new Error(`cannot repair the payload root: ${error.message}`);
        // Wrong type, enum, format or no anyOf branch matched: a fresh value from the failing schema.
        set(payload, parts, synth(error.parentSchema, ctxAt(parts, parts.at(-1))));
      }
    }
  }
  throw new Error(`still invalid after repairs: ${JSON.stringify(validate.errors.slice(0, 3))}`);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * Every updated_at string becomes "{{iso}}" (else every other date-time string), so two
 * sends differ; returns how many it set.
 */
function freshen(value, keys = (key) => key === 'updated_at') {
  let count = 0;
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      if (keys(key) && typeof child === 'string' && ISO.test(child)) {
        node[key] = '{{iso}}';
        count += 1;
      } else walk(child);
    }
  };
  walk(value);
  return count;
}

/**
 * A payload from the schema alone: its required properties, plus the repository, organization and
 * sender GitHub sends with nearly every event even where the schema leaves them optional.
 */
function synthPayload(hook) {
  const ref = hook.ref.replace(SPEC_ID, '');
  const payload = synth({ $ref: ref }, { path: hook.name });
  const schema = resolve({ $ref: ref });
  const properties = schema.properties ?? schema.oneOf?.[0]?.properties ?? {};
  for (const key of ['repository', 'organization', 'sender']) {
    if (properties[key] && !(key in payload)) {
      payload[key] = synth(properties[key], { key, path: `${hook.name}.${key}`, obj: payload, root: payload });
    }
  }
  return payload;
}

/** A few contributed examples name a repository owner other than the one in its full_name: align them. */
function alignRepositoryOwner(payload) {
  const repo = payload.repository;
  if (!repo?.owner || typeof repo.full_name !== 'string') return;
  const login = repo.full_name.split('/')[0];
  if (repo.owner.login === login) return;
  repo.owner.login = login;
  for (const key of Object.keys(repo.owner)) if (isUrlKey(key) && key !== 'avatar_url') repo.owner[key] = urlFor(key, repo.owner, 'owner', payload);
}

function realPayload(hook) {
  const own = spec.components.examples?.[hook.key]?.value;
  if (own) return { source: 'spec example', payload: structuredClone(own) };
  const entry = examples.find((e) => e.name === hook.event);
  // The richest example of the event and action (a branch push with commits over a bare tag push).
  const found = entry?.examples
    .filter((e) => (hook.action ? e.action === hook.action : true))
    .sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length)[0];
  // One contributed example writes http:// API URLs; GitHub's are https.
  return found ? { source: '@octokit/webhooks-examples', payload: JSON.parse(JSON.stringify(found).replaceAll('http://api.github.com/', 'https://api.github.com/')) } : undefined;
}

function main() {
  const ajv = githubAjv({ allErrors: true, verbose: true });
  const hooks = githubWebhooks();
  const names = new Set(hooks.map((h) => h.name));
  if (names.size !== hooks.length) throw new Error('two webhooks map to one event name');
  mkdirSync(OUT, { recursive: true });
  for (const file of readdirSync(OUT)) if (file.endsWith('.json')) rmSync(join(OUT, file));
  const sources = { 'spec example': 0, '@octokit/webhooks-examples': 0, 'synthesized from the schema': 0 };
  const events = [];
  const stale = [];
  for (const hook of hooks.sort((a, b) => a.name.localeCompare(b.name))) {
    const validate = ajv.getSchema(hook.ref);
    const real = realPayload(hook);
    const source = real?.source ?? 'synthesized from the schema';
    const start = real?.payload ?? synthPayload(hook);
    const payload = repair(start, validate);
    alignRepositoryOwner(payload);
    if (hook.action) payload.action = hook.action;
    const fresh = freshen(payload) || freshen(payload, () => true);
    if (fresh === 0) stale.push(hook.name);
    if (!validate(JSON.parse(JSON.stringify(payload).replaceAll('{{iso}}', TIME)))) throw new Error(`${hook.name}: invalid after freshen`);
    sources[source] += 1;
    writeFileSync(join(OUT, `${hook.name}.json`), `${JSON.stringify(payload, null, 2)}\n`);
    events.push({ name: hook.name, description: hook.description, targets: hook.targets });
  }
  writeFileSync(join(OUT, 'events.json'), `${JSON.stringify(events, null, 2)}\n`);
  if (stale.length) console.log(`no timestamp in (identical body on every send): ${stale.join(', ')}`);
  console.log(`${events.length} GitHub events written to fixtures/github/:`, sources);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
