/**
 * The `verify` command as commander runs it (addVerifyCommand on a fresh program): output on
 * stdout, errors as main.ts receives them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addVerifyCommand } from '../../src/cli-verify.js';
import { WhcliError } from '../../src/errors.js';
import { reserializingHandler } from '../helpers/verify-buggy-handlers.js';
import { acceptsEverything, correctHandler, SECRETS } from '../helpers/verify-handlers.js';
import { isolatedEnvironment } from '../helpers/verify-run.js';
import { startWebhookServer, type TestServer } from '../helpers/verify-server.js';
import { findAll, parseXml } from '../helpers/verify-xml.js';

const project = isolatedEnvironment();
const CONFIG = join(project.cwd, 'whcli.config.json');
afterAll(() => project.cleanup());

let server: TestServer | undefined;
let stdout: string[];
let stderr: string[];
beforeEach(async () => {
  // An empty config file keeps any whcli.config.json above the working directory out of the test.
  await writeFile(CONFIG, '{}');
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

async function run(...args: string[]): Promise<unknown> {
  const program = new Command('whcli').exitOverride().configureOutput({ writeOut: (s) => stdout.push(s), writeErr: (s) => stderr.push(s) });
  addVerifyCommand(program, { signal: new AbortController().signal });
  return program.parseAsync(['node', 'whcli', 'verify', '-c', CONFIG, ...args]).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** stdout as lines, colour codes removed (a CI runner may force colour). */
const lines = () =>
  stdout
    .join('')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((l, i, all) => l || i < all.length - 1);

describe('whcli verify (commander)', () => {
  it('prints the table and closes with "N passed, N failed"; no error when all pass', async () => {
    server = await startWebhookServer(correctHandler('lava'));
    expect(await run('-p', 'lava', '-f', server.url, '-s', SECRETS.lava)).toBeUndefined();
    const out = lines();
    expect(out[0]).toMatch(/^whcli verify lava -> http:\/\/127\.0\.0\.1:\d+\/webhooks \(3 events x 5 checks/);
    expect(out).toContain('  replay not checked: lava signs no timestamp, so there is no replay window to test');
    expect(out.find((l) => l.startsWith('EVENT'))).toMatch(/^EVENT\s+DELIVERY\s+FORGERY\s+UNSIGNED\s+DUPLICATE\s+RAW-BODY$/);
    expect(out.at(-1)).toBe('15 passed, 0 failed');
    // Progress went to stderr, a line per event (not a TTY here).
    expect(stderr.join('')).toContain('[3/3]');
  });

  it('throws the exit-1 error after printing when a check fails', async () => {
    server = await startWebhookServer(acceptsEverything);
    const error = await run('-p', 'lava', '-f', server.url, '-s', SECRETS.lava);
    expect(error).toBeInstanceOf(WhcliError);
    expect(error).toMatchObject({ code: 'WHCLI_ERR_CHECKS_FAILED', exitCode: 1, message: '' });
    const out = lines();
    expect(out.at(-1)).toBe('9 passed, 6 failed');
    // One bug across every event is told once, naming the events.
    const at = out.indexOf('  ✗ forgery on 3 events: got 200, expected 4xx (signed with a wrong secret)');
    expect(out.slice(at, at + 4)).toEqual([
      '  ✗ forgery on 3 events: got 200, expected 4xx (signed with a wrong secret)',
      '      events: customer.created, customer.wallet.balance.updated, customer.deleted',
      '      accepted an event signed with a wrong secret: the handler does not verify signatures',
      '      response: {"received":true}',
    ]);
  });

  it('--reporter json alone writes only the JSON report to stdout', async () => {
    server = await startWebhookServer(correctHandler('github'));
    expect(await run('-p', 'github', '-f', server.url, '-s', SECRETS.github, '--events', 'push', '--reporter', 'json')).toBeUndefined();
    const report = JSON.parse(stdout.join(''));
    expect(report).toMatchObject({ schemaVersion: 1, provider: 'github', events: ['push'], summary: { total: 5, passed: 5, failed: 0 } });
    expect(stderr.join('')).toBe('');
  });

  it('--reporter junit --output writes the file and still prints the table', async () => {
    server = await startWebhookServer(acceptsEverything);
    const error = await run('-p', 'github', '-f', server.url, '-s', SECRETS.github, '--events', 'push,ping', '--reporter', 'junit', '-o', join(project.cwd, 'junit.xml'));
    expect(error).toMatchObject({ exitCode: 1 });
    const root = parseXml(await readFile(join(project.cwd, 'junit.xml'), 'utf8'));
    expect(root.attributes).toMatchObject({ tests: '10', failures: '4' });
    expect(findAll(root, 'failure')).toHaveLength(4);
    const out = lines();
    expect(out.at(-2)).toBe(`junit report written to ${join(project.cwd, 'junit.xml')}`);
    expect(out.at(-1)).toBe('6 passed, 4 failed');
  });

  it('an unknown --reporter is a commander usage error', async () => {
    const error = await run('-p', 'lava', '-f', '3000', '--reporter', 'tap');
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).code).toBe('commander.invalidArgument');
  });

  it('a usage problem found by the command exits 2', async () => {
    const error = await run('-p', 'lava', '-f', '3000', '-s', 'x', '--checks', 'replay');
    expect(error).toMatchObject({ exitCode: 2, message: '--checks replay: lava signs no timestamp, so there is no replay window to test' });
  });

  it('--help lists the checks, exit codes and examples', async () => {
    const error = await run('--help');
    expect((error as CommanderError).code).toBe('commander.helpDisplayed');
    const help = stdout.join('');
    expect(help).toContain('--start <command>');
    expect(help).toContain('whcli verify -p stripe -f 3000/webhooks --start "npm run dev" --reporter junit --output verify.xml');
    expect(help).toMatch(/replay\s+a correct signature dated past/);
    expect(help).toContain('Exit codes: 0 every check passed, 1 a check failed or the handler is unreachable, 2 usage error.');
  });

  it('--diagnose prints the likely cause under the failure; --help shows every new flag with an example', async () => {
    server = await startWebhookServer(reserializingHandler('github'));
    const error = await run('-p', 'github', '-f', server.url, '-s', SECRETS.github, '--events', 'push', '--checks', 'raw-body', '--diagnose');
    expect(error).toMatchObject({ exitCode: 1 });
    const out = lines();
    expect(out).toContain('  ✗ push raw-body: got 400, expected 2xx (body laid out unlike JSON.stringify)');
    expect(out).toContain('      likely cause: your handler verifies a re-serialized body: verify the raw request bytes, not JSON.stringify(req.body)');
    stdout = [];
    await run('--help');
    const help = stdout.join('');
    for (const flag of ['--diagnose', '--effects', '--burst', '--burst-rate', '--scenario', '--from', '--checks all', '--checks raw-body']) {
      expect(help).toMatch(new RegExp(`\\$ whcli verify .*${flag.replace(/[-]/g, '\\-')}`));
    }
    expect(help).toMatch(/concurrent\s+the same event id twice at the same instant/);
  });
});
