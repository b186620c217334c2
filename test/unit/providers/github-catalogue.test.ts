/**
 * The GitHub catalogue against GitHub's official webhook spec (@octokit/openapi-webhooks): every
 * event and action it lists is in the catalogue, named as GitHub names it, and every rendered
 * fixture's URLs point at the payload's own repository and users. The bodies' validity against the
 * official schemas is checked on what the CLI really sends: test/integration/github-every-event.test.ts.
 */
import { emitterEventNames } from '@octokit/webhooks';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../src/fixtures/load.js';
import { renderEvent } from '../../../src/fixtures/render-event.js';
import { github } from '../../../src/providers/catalogue/github.js';
// @ts-expect-error: a plain .mjs module shared with the fixture generator, without types.
import { githubWebhooks } from '../../../scripts/github-webhook-schema.mjs';

interface Webhook {
  name: string;
  event: string;
  action?: string;
}

const webhooks = (githubWebhooks as () => Webhook[])();

describe('GitHub catalogue', () => {
  it('lists every webhook event and action of the official spec, and nothing else', () => {
    const names = github.events.map((e) => e.name).sort();
    expect(names).toEqual(webhooks.map((w) => w.name).sort());
    expect(names.length).toBe(261);
    expect(names).toEqual(expect.arrayContaining(['push', 'ping', 'pull_request.opened', 'installation.created', 'workflow_job.completed', 'check_run.completed']));
    // The names @octokit/webhooks emits, independently of how the spec is read here.
    for (const name of names) expect(emitterEventNames, name).toContain(name);
    for (const event of github.events) expect(event.description, event.name).not.toBe('');
  });

  it('names events as X-GitHub-Event plus action, bare where the payload has no action', () => {
    for (const hook of webhooks) expect(hook.name).toBe(hook.action ? `${hook.event}.${hook.action}` : hook.event);
    expect(webhooks.find((w) => w.name === 'push')?.action).toBeUndefined();
  });

  it.each(webhooks.map((w) => [w.name, w] as const))('%s: the rendered fixture carries its action and URLs consistent with its objects', async (name, hook) => {
    const fixture = await loadFixture(github, name);
    const rendered = renderEvent(github, name, fixture);
    const body = JSON.parse(rendered.body.toString('utf8')) as Record<string, unknown>;
    expect(body.action).toBe(hook.action);

    // URLs agree with the objects they belong to.
    const repository = body.repository as { full_name: string; url: string; html_url: string; owner?: { login: string } } | undefined;
    if (repository) {
      // push is the one event whose repository.url is the web URL: GitHub really sends it so.
      expect(repository.url).toBe(name === 'push' ? `https://github.com/${repository.full_name}` : `https://api.github.com/repos/${repository.full_name}`);
      expect(repository.html_url).toBe(`https://github.com/${repository.full_name}`);
      if (repository.owner) expect(repository.full_name.startsWith(`${repository.owner.login}/`)).toBe(true);
    }
    const sender = body.sender as { login: string; url: string } | undefined;
    if (sender?.url) expect(decodeURIComponent(sender.url).toLowerCase()).toBe(`https://api.github.com/users/${sender.login}`.toLowerCase());
  });
});
