/**
 * Under --json, stdout is for machines even when colour is forced: FORCE_COLOR=1 (and no NO_COLOR)
 * for every command here, and stdout must parse as JSON (NDJSON for listen) with no ANSI escape in
 * it. The human output of the same runs is coloured, so the forcing is real.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHome, runCli, startCli, stopAllProcesses } from '../helpers/processes.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';

const COLOUR = { FORCE_COLOR: '1', NO_COLOR: undefined };
const ANSI = /\x1b\[/;

let home: string;
let server: RecordingServer;
beforeEach(async () => {
  home = await makeHome();
  server = await startRecordingServer();
});
afterEach(async () => {
  await stopAllProcesses();
  await server.close();
});

function expectJson(stdout: string, what: string): unknown {
  expect(stdout, what).not.toMatch(ANSI);
  return JSON.parse(stdout);
}

describe('--json with FORCE_COLOR=1', () => {
  it('the human output is coloured (the control)', async () => {
    const run = await runCli(['providers'], home, COLOUR);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(ANSI);
    const plain = await runCli(['providers'], home, { NO_COLOR: '1' });
    expect(plain.stdout).not.toMatch(ANSI);
  });

  it.each([
    [['providers', '--json']],
    [['events', '--json', '--provider', 'stripe']],
    [['history', '--json']],
    [['trigger', 'push', '--provider', 'github', '--secret', 's', '--dry-run', '--json']],
  ])('whcli %j: stdout is plain JSON', async (args) => {
    const run = await runCli(args, home, COLOUR);
    expect(run.code, run.stderr).toBe(0);
    expectJson(run.stdout, args.join(' '));
  });

  it('trigger --json, ok and failing: stdout is plain JSON either way', async () => {
    const ok = await runCli(['trigger', 'invoice.paid', '-p', 'stripe', '-f', server.url, '-s', 's', '--json'], home, COLOUR);
    expect(ok.code, ok.stderr).toBe(0);
    expect(expectJson(ok.stdout, 'trigger')).toMatchObject({ ok: true });

    const failing = await startRecordingServer(() => ({ status: 500, body: 'boom' }));
    try {
      const run = await runCli(['trigger', 'invoice.paid', '-p', 'stripe', '-f', failing.url, '-s', 's', '--json'], home, COLOUR);
      expect(run.code).toBe(1);
      expect(expectJson(run.stdout, 'failing trigger')).toMatchObject({ ok: false });
    } finally {
      await failing.close();
    }
  });

  it('sign --json and verify --reporter json', async () => {
    const sign = await runCli(['sign', '-p', 'github', '-s', 's', '--json', '--file', '/dev/null'], home, COLOUR);
    expect(sign.code, sign.stderr).toBe(0);
    expect(expectJson(sign.stdout, 'sign')).toHaveProperty('headers');

    const verify = await runCli(['verify', '-p', 'github', '-f', server.url, '-s', 's', '--events', 'ping', '--checks', 'delivery', '--reporter', 'json'], home, COLOUR);
    expect(verify.code, verify.stderr).toBe(0);
    expectJson(verify.stdout, 'verify');
  });

  it('listen --json: every stdout line is plain JSON', async () => {
    const listen = startCli(['listen', '--json', '--port', '0', '-f', server.url, '-p', 'github', '-s', 's'], home, COLOUR);
    await listen.waitForLine((l) => l.type === 'status' && l.status === 'ready', 'the listener to connect');
    const trigger = await runCli(['trigger', 'ping', '-p', 'github', '-s', 's'], home, COLOUR);
    expect(trigger.code, trigger.stderr).toBe(0);
    await listen.waitForLine((l) => l.type === 'delivery', 'a delivery line');
    await listen.kill('SIGTERM');
    expect(listen.stdout).not.toMatch(ANSI);
    const lines = listen.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) JSON.parse(line);
  });
});
