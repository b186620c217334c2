import type { ProviderSpec } from '../types.js';

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
  },
  envelope: {
    template: '{{data}}',
    typeFrom: { header: 'x-github-event', actionPath: 'action' },
    idFrom: { header: 'x-github-delivery' },
    idTemplate: '{{uuid}}',
  },
  headers: {
    'User-Agent': 'GitHub-Hookshot/whcli',
    'X-GitHub-Event': '{{event.base}}',
    'X-GitHub-Delivery': '{{event_id}}',
    'X-GitHub-Hook-ID': '420000001',
    'X-GitHub-Hook-Installation-Target-Type': 'repository',
    'X-GitHub-Hook-Installation-Target-ID': '700000001',
  },
  timeoutMs: 10_000,
  retries: [],
  events: [
    { name: 'ping', description: 'A webhook was created' },
    { name: 'push', description: 'Commits were pushed' },
    { name: 'pull_request.opened', description: 'A pull request was opened' },
    { name: 'pull_request.closed', description: 'A pull request was closed or merged' },
    { name: 'pull_request.synchronize', description: "A pull request's branch was updated" },
    { name: 'issues.opened', description: 'An issue was opened' },
    { name: 'issue_comment.created', description: 'A comment was added to an issue or PR' },
    { name: 'release.published', description: 'A release was published' },
    { name: 'workflow_run.completed', description: 'An Actions workflow run completed' },
    { name: 'star.created', description: 'A repository was starred' },
  ],
  notes: [
    'The event type travels in X-GitHub-Event and the action in the body: pull_request.opened is X-GitHub-Event: pull_request with "action": "opened".',
    'GitHub does not retry failed deliveries automatically (redeliver by hand); 10 s timeout.',
  ],
};
