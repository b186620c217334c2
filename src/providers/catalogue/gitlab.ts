import type { ProviderSpec } from '../types.js';

const hook = (name: string) => ({ 'X-Gitlab-Event': name });

export const gitlab: ProviderSpec = {
  name: 'gitlab',
  title: 'GitLab',
  docs: 'https://docs.gitlab.com/user/project/integrations/webhooks/',
  scheme: { type: 'token', header: 'X-Gitlab-Token' },
  envelope: {
    template: '{{data}}',
    typeFrom: { header: 'X-Gitlab-Event', names: { 'Push Hook': 'push_hook', 'Tag Push Hook': 'tag_push_hook', 'Issue Hook': 'issue_hook', 'Note Hook': 'note_hook', 'Merge Request Hook': 'merge_request_hook', 'Pipeline Hook': 'pipeline_hook', 'Job Hook': 'job_hook', 'Release Hook': 'release_hook' } },
    idFrom: { header: 'X-Gitlab-Event-UUID' },
    idTemplate: '{{uuid}}',
  },
  headers: {
    'User-Agent': 'GitLab/17.6.0',
    'X-Gitlab-Event-UUID': '{{event_id}}',
    'X-Gitlab-Webhook-UUID': '7c9f2f76-2b0e-4b8e-9a4f-1f7c0b6f6a10',
    'X-Gitlab-Instance': 'https://gitlab.com',
    'Idempotency-Key': '{{event_id}}',
  },
  timeoutMs: 10_000,
  retries: [],
  events: [
    { name: 'push_hook', description: 'Commits were pushed', headers: hook('Push Hook') },
    { name: 'tag_push_hook', description: 'A tag was pushed', headers: hook('Tag Push Hook') },
    { name: 'issue_hook', description: 'An issue was opened, changed or closed', headers: hook('Issue Hook') },
    { name: 'note_hook', description: 'A comment was added', headers: hook('Note Hook') },
    { name: 'merge_request_hook', description: 'A merge request was opened, changed or merged', headers: hook('Merge Request Hook') },
    { name: 'pipeline_hook', description: 'A pipeline changed status', headers: hook('Pipeline Hook') },
    { name: 'job_hook', description: 'A job changed status', headers: hook('Job Hook') },
    { name: 'release_hook', description: 'A release was created or changed', headers: hook('Release Hook') },
  ],
  notes: [
    'GitLab signs nothing: X-Gitlab-Token carries the secret token as configured, and the handler compares it.',
    'The event name is X-Gitlab-Event in snake case ("Push Hook" is push_hook), so it never collides with GitHub\'s push; the body\'s object_kind says the same.',
    'GitLab.com times out after 10 s and does not retry; a hook failing repeatedly is disabled for a while.',
  ],
};
