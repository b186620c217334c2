/**
 * `trigger` and `replay` through a running `whcli listen`: they take the listener's provider and need
 * no secret of their own, pick the listener started for this project, say which one they used, and
 * refuse one of another project or another provider, or a choice between several, with one line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, headerValues, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startListenerProcess, stopAllProcesses, WAIT_MS } from '../helpers/processes.js';

const dirs: string[] = [];
async function project(config?: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'whcli-project-'));
  dirs.push(dir);
  if (config) await writeFile(join(dir, 'whcli.config.json'), JSON.stringify(config));
  return dir;
}

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const SLOW = WAIT_MS;

it('trigger through the listener of this directory takes its provider and secret, and says which listener', async () => {
  const home = await makeHome();
  const here = await project();
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_listener'], true, undefined, here);

  // invoice.paid exists for several providers; no --provider, no secret anywhere.
  const run = await runCli(['trigger', 'invoice.paid'], home, undefined, SLOW, here);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain(`through the running listener pid ${listener.proc.child.pid} (re-signs as stripe`);
  const request = (await handler.waitForRequests(1))[0]!;
  const event = new Stripe('sk_test_not_used').webhooks.constructEvent(request.body, headerValues(request, 'stripe-signature')[0]!, 'whsec_listener');
  expect(event.type).toBe('invoice.paid');

  // A subdirectory is the same project.
  const sub = join(here, 'src');
  await writeFile(join(here, 'marker'), '');
  await import('node:fs/promises').then((fs) => fs.mkdir(sub));
  const json = await runCli(['trigger', 'invoice.paid', '--json'], home, undefined, SLOW, sub);
  expect(json.code, json.stderr).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({ via: 'listener', provider: 'stripe', listener: { pid: listener.proc.child.pid, provider: 'stripe' } });
});

it("refuses another project's listener and another provider's, and --listener picks one", async () => {
  const home = await makeHome();
  const projectA = await project();
  const projectB = await project();
  const handler = await startHandler();
  const listener = await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', handler.url, '-p', 'stripe', '-s', 'whsec_a'], true, undefined, projectA);
  const pid = listener.proc.child.pid!;

  const elsewhere = await runCli(['trigger', 'invoice.paid', '-p', 'stripe'], home, undefined, SLOW, projectB);
  expect(elsewhere.code).toBe(2);
  expect(elsewhere.stderr.trim()).toMatch(/^whcli: no listener runs for this project \(.*\); 1 runs elsewhere: pick one with --listener <pid> \(`whcli listeners` lists them\), or pass --forward$/);

  const mismatch = await runCli(['trigger', 'push', '-p', 'github', '--secret', 's3cret'], home, undefined, SLOW, projectA);
  expect(mismatch.code).toBe(2);
  expect(mismatch.stderr.trim()).toBe(`whcli: the listener pid ${pid} (re-signs as stripe, -> ${handler.url}/, in ${projectA}) would re-sign a github event as stripe: start a listener for that provider, or pass --forward`);
  expect(handler.requests).toHaveLength(0);

  const picked = await runCli(['trigger', 'invoice.paid', '--listener', String(pid)], home, undefined, SLOW, projectB);
  expect(picked.code, picked.stderr).toBe(0);
  await handler.waitForRequests(1);

  const list = await runCli(['listeners', '--json'], home, undefined, SLOW, projectA);
  expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ pid, provider: 'stripe', resign: true, here: true, cwd: projectA, url: listener.ready.url })]);
  const table = await runCli(['listeners'], home, undefined, SLOW, projectB);
  expect(table.stdout).toContain(String(pid));
  expect(table.stdout).toMatch(new RegExp(`^ +${pid} `, "m"));
});

it('two listeners for one project: ambiguous unless the event or --provider tells them apart', async () => {
  const home = await makeHome();
  const here = await project();
  const stripeHandler = await startHandler();
  const githubHandler = await startHandler();
  await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', stripeHandler.url, '-p', 'stripe', '-s', 'whsec_x'], true, undefined, here);
  await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', githubHandler.url, '-p', 'github', '-s', 'gh_secret'], true, undefined, here);

  // push is GitHub's only: it goes to the GitHub listener, re-signed with that listener's secret.
  const push = await runCli(['trigger', 'push'], home, undefined, SLOW, here);
  expect(push.code, push.stderr).toBe(0);
  const request = (await githubHandler.waitForRequests(1))[0]!;
  expect(await verifyGithub('gh_secret', request.body.toString('utf8'), headerValues(request, 'x-hub-signature-256')[0]!)).toBe(true);
  expect(stripeHandler.requests).toHaveLength(0);

  const third = await startListenerProcess(home, ['--port', '0', '--no-inspect', '-f', stripeHandler.url, '-p', 'stripe', '-s', 'whsec_y'], true, undefined, here);
  const ambiguous = await runCli(['trigger', 'invoice.paid', '-p', 'stripe'], home, undefined, SLOW, here);
  expect(ambiguous.code).toBe(2);
  expect(ambiguous.stderr).toMatch(/^whcli: 2 listeners run for this project: pick one with --listener <pid> \(\d+, \d+; `whcli listeners` lists them\)\n$/);
  expect(ambiguous.stderr).toContain(String(third.proc.child.pid));
});

it('a config file decides the project: trigger and replay need no secret through its listener', async () => {
  const home = await makeHome();
  const handler = await startHandler();
  const here = await project({ provider: 'stripe', forward: handler.url });
  await startListenerProcess(home, ['--port', '0', '--no-inspect', '--secret', 'whsec_listener'], true, undefined, here);

  const sent = await runCli(['trigger', 'invoice.paid', '--json'], home, undefined, SLOW, here);
  expect(sent.code, sent.stderr).toBe(0);
  expect(JSON.parse(sent.stdout)).toMatchObject({ via: 'listener' });
  await handler.waitForRequests(1);

  // replay from another directory: no secret there, and the listener is not its own.
  const history = JSON.parse((await runCli(['history', '--json'], home, undefined, SLOW, here)).stdout) as { id: string }[];
  const id = history.at(-1)!.id;
  const bare = await project();
  const noSecret = await runCli(['replay', id], home, undefined, SLOW, bare);
  expect(noSecret.code).toBe(2);
  expect(noSecret.stderr).toMatch(/^whcli: no listener runs for this project/);

  const replayed = await runCli(['replay', id, '--json'], home, undefined, SLOW, here);
  expect(replayed.code, replayed.stderr).toBe(0);
  expect(JSON.parse(replayed.stdout)).toMatchObject({ via: 'listener', result: { status: 200 } });
  const [first, second] = await handler.waitForRequests(2);
  expect(second!.body.equals(first!.body)).toBe(true);
  new Stripe('sk_test_not_used').webhooks.constructEvent(second!.body, headerValues(second!, 'stripe-signature')[0]!, 'whsec_listener');
});
