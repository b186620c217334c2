import { bundledEvents } from '../bundled-events.js';
import type { ProviderSpec } from '../types.js';

/** Every webhook event and action in GitHub's official spec, from fixtures/github/events.json (scripts/generate-github-fixtures.mjs). */
const githubEvents = bundledEvents('github');

export const github: ProviderSpec = {
  name: 'github',
  title: 'GitHub',
  docs: 'https://docs.github.com/webhooks',
  scheme: {
    type: 'hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    header: 'X-Hub-Signature-256',
    prefix: 'sha256=',
    // GitHub still sends the legacy SHA-1 signature beside the SHA-256 one.
    also: [{ algorithm: 'sha1', encoding: 'hex', header: 'X-Hub-Signature', prefix: 'sha1=' }],
  },
  envelope: {
    template: '{{data}}',
    typeFrom: { header: 'x-github-event', actionPath: 'action' },
    idFrom: { header: 'x-github-delivery' },
    idTemplate: '{{uuid}}',
  },
  headers: {
    'User-Agent': 'GitHub-Hookshot/8e03811',
    'X-GitHub-Event': '{{event.base}}',
    'X-GitHub-Delivery': '{{event_id}}',
    'X-GitHub-Hook-ID': '420000001',
    'X-GitHub-Hook-Installation-Target-Type': 'repository',
    'X-GitHub-Hook-Installation-Target-ID': '700000001',
  },
  timeoutMs: 10_000,
  retries: [],
  get events() {
    return githubEvents();
  },
  notes: [
    'The event type travels in X-GitHub-Event and the action in the body: pull_request.opened is X-GitHub-Event: pull_request with "action": "opened".',
    'GitHub does not retry failed deliveries automatically (redeliver by hand); 10 s timeout.',
    "Every event and action of GitHub's official webhook spec (@octokit/openapi-webhooks); each fixture is a real payload from @octokit/webhooks-examples where one exists, else built from the schema, and validates against the schema (scripts/generate-github-fixtures.mjs).",
    'Every delivery carries both signatures GitHub sends: X-Hub-Signature-256 (sha256=) and the legacy X-Hub-Signature (sha1=).',
    "X-GitHub-Hook-Installation-Target-Type is always repository, with the sample repository's id; GitHub sends organization, integration and others for hooks installed elsewhere.",
  ],
};
