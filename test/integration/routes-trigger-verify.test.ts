/**
 * `whcli trigger --route` and `whcli verify --route / --routes`: a route of whcli.config.json gives the
 * provider, handler and secret, so CI checks every route's handler in one run with one JUnit report.
 * The handlers verify with each provider's official library (test/helpers/verify-handlers.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, runCli, stopAllProcesses } from '../helpers/processes.js';
import { correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { startWebhookServer, type TestServer } from '../helpers/verify-server.js';
import { findAll, parseXml } from '../helpers/verify-xml.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await stopAllProcesses();
});

/** Two routes (Stripe, GitHub) to two handlers; the GitHub route's secret comes from the environment. */
async function project(githubHandlerSecret = SECRETS.github!): Promise<{ home: string; config: string; env: Record<string, string> }> {
  const stripe = await startWebhookServer(correctHandler('stripe'));
  const github = await startWebhookServer(correctHandler('github', githubHandlerSecret));
  servers.push(stripe, github);
  const home = await makeHome();
  const config = join(home, 'whcli.config.json');
  await writeFile(config, JSON.stringify({
    routes: [
      { name: 'pay', match: { path: '/stripe' }, forward: stripe.url, provider: 'stripe', secret: SECRETS.stripe },
      { name: 'gh', match: { path: '/github' }, forward: github.url, provider: 'github' },
    ],
  }));
  return { home, config, env: { WHCLI_SECRET_GH: SECRETS.github! } };
}

describe('routes in trigger and verify', () => {
  it('trigger --route sends with the route provider and secret to its handler', async () => {
    const { home, config, env } = await project();
    const run = await runCli(['trigger', 'invoice.paid', '--route', 'pay', '-c', config, '--json'], home, env);
    expect(run.code, run.stderr).toBe(0);
    expect(servers[0]!.received).toHaveLength(1);
    const gh = await runCli(['trigger', 'push', '--route', 'gh', '-c', config, '--json'], home, env);
    expect(gh.code, gh.stderr).toBe(0);
    expect(servers[1]!.received).toHaveLength(1);
    const unknown = await runCli(['trigger', 'push', '--route', 'nope', '-c', config], home, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('whcli: no route named "nope" (routes: pay, gh)');
  });

  it('verify --routes checks every route in one JUnit report', async () => {
    const { home, config, env } = await project();
    const xmlFile = join(home, 'verify.xml');
    const run = await runCli(['verify', '--routes', '-c', config, '--checks', 'delivery,forgery', '--reporter', 'junit', '--output', xmlFile], home, env, 60_000);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const cases = findAll(parseXml(await readFile(xmlFile, 'utf8')), 'testcase').map((c) => c.attributes.name!);
    expect(cases).toContain('pay: invoice.paid delivery');
    expect(cases).toContain('gh: push forgery');
    expect(cases.every((name) => /^(pay|gh): /.test(name))).toBe(true);
  });

  it('verify --routes fails on the one route whose handler disagrees, and --route checks one', async () => {
    const { home, config, env } = await project('a-different-secret');
    const run = await runCli(['verify', '--routes', '-c', config, '--checks', 'delivery', '--events', 'all', '--reporter', 'json'], home, env, 60_000);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { results: { event: string; status: string }[] };
    const failed = report.results.filter((r) => r.status === 'failed').map((r) => r.event);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.startsWith('gh: '))).toBe(true);
    expect(report.results.some((r) => r.event.startsWith('pay: ') && r.status === 'passed')).toBe(true);

    const one = await runCli(['verify', '--route', 'pay', '-c', config, '--checks', 'delivery', '--reporter', 'json'], home, env, 60_000);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ provider: 'stripe', ok: true });
  });
});
