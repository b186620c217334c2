/**
 * The `handshake` check: each provider's verification handshake, signed as the provider signs it,
 * sent once per run to a real loopback handler that verifies the signature with the provider's own
 * code (Slack's documented check, discord-interactions, Zoom's and Twitch's documented HMACs) and
 * answers as the provider's docs say. A handler that does not answer it fails with the reason.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { trigger } from '../../src/commands/trigger.js';
import { handshakeFor } from '../../src/providers/handshakes.js';
import { CHECK_NAMES } from '../../src/verify/report.js';
import { expectOneLineError, runCli } from '../helpers/foundation-cli.js';
import { handshakeAnswer } from '../helpers/handshake-answers.js';
import { PROVIDER_ORACLES, PROVIDER_SECRETS } from '../helpers/provider-oracles.js';
import { SECRETS, verifierFor } from '../helpers/verify-handlers.js';
import { runVerify, useVerifyFixtures } from '../helpers/verify-run.js';
import type { ReceivedWebhook } from '../helpers/verify-server.js';

const { environment, serve: listen, current } = useVerifyFixtures();

/** The secret whcli signs with, and a check of a request with the provider's own verification code. */
function keysFor(provider: string): { secret: string; genuine: (request: ReceivedWebhook) => Promise<boolean> | boolean; answerKey: string } {
  if (provider === 'slack') return { secret: SECRETS.slack!, genuine: (r) => verifierFor('slack')(r, SECRETS.slack!), answerKey: SECRETS.slack! };
  if (provider === 'discord') {
    const pair = generateKeyPairSync('ed25519');
    const publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('hex');
    const secret = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return { secret, genuine: (r) => PROVIDER_ORACLES.discord!(publicKey, r), answerKey: '' };
  }
  const key = PROVIDER_SECRETS[provider]!;
  return { secret: key, genuine: (r) => PROVIDER_ORACLES[provider]!(key, r), answerKey: key };
}

/** A handler that refuses what the provider did not sign, then answers with `answer`. */
async function serve(provider: string, answer: 'correct' | 'ok') {
  const { secret, genuine, answerKey } = keysFor(provider);
  const url = await listen(async (request) => {
    if (!(await genuine(request))) return { status: 401, body: 'invalid signature' };
    return (answer === 'correct' ? handshakeAnswer(provider, request, answerKey) : undefined) ?? { status: 200, body: 'ok' };
  });
  return { url, secret };
}

describe.each(['slack', 'zoom', 'twitch', 'discord'])('%s handshake', (provider) => {
  const name = handshakeFor({ name: provider })!.name;

  it('passes a handler that answers it, once per run, named after the handshake', async () => {
    const { url, secret } = await serve(provider, 'correct');
    const { report } = await runVerify(environment, { provider, forward: url, secret, checks: 'handshake' });
    expect(report.checks).toEqual(['handshake']);
    expect(report.results.map((r) => [r.event, r.check, r.status, r.reason])).toEqual([[name, 'handshake', 'passed', undefined]]);
    expect(current().received).toHaveLength(1);
  });

  it('fails a handler that answers 200 without completing it, saying what to answer and why', async () => {
    const { url, secret } = await serve(provider, 'ok');
    const { report } = await runVerify(environment, { provider, forward: url, secret, checks: 'handshake' });
    const [result] = report.results;
    expect(result).toMatchObject({ event: name, check: 'handshake', status: 'failed', got: '200' });
    expect(result!.reason).toContain(`${provider} sends ${name}`);
    expect(result!.reason).toContain('will not enable the endpoint');
    expect(result!.reason).toContain(handshakeFor({ name: provider })!.expected);
    expect(report.ok).toBe(false);
  });
});

describe('handshake in the default checks', () => {
  it('runs first, once, for a provider that has one', async () => {
    const { url, secret } = await serve('slack', 'correct');
    const { report } = await runVerify(environment, { provider: 'slack', forward: url, secret, events: 'app_mention' });
    expect(report.checks[0]).toBe('handshake');
    expect(report.results.filter((r) => r.check === 'handshake')).toHaveLength(1);
    expect(report.ok).toBe(true);
  });

  it('is left out for a provider without one, so its totals stay events x 6', async () => {
    const url = await listen(() => ({ status: 200, body: 'ok' }));
    const { report } = await runVerify(environment, { provider: 'stripe', forward: url, secret: SECRETS.stripe!, events: 'charge.succeeded', checks: 'default' });
    expect(report.checks).toEqual([...CHECK_NAMES]);
    expect(report.summary.total).toBe(CHECK_NAMES.length);
  });
});

describe('whcli verify --checks handshake (CLI)', () => {
  it('passes Slack in JSON and JUnit, fails a handler that does not echo with exit 1', async () => {
    const good = await serve('slack', 'correct');
    const json = await runCli(['verify', '--provider', 'slack', '--forward', good.url, '--secret', good.secret, '--checks', 'handshake', '--reporter', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { checks: string[]; results: { event: string; check: string; status: string }[] };
    expect(report.checks).toEqual(['handshake']);
    expect(report.results).toMatchObject([{ event: 'url_verification', check: 'handshake', status: 'passed' }]);
    const junit = await runCli(['verify', '--provider', 'slack', '--forward', good.url, '--secret', good.secret, '--checks', 'handshake', '--reporter', 'junit']);
    expect(junit.code, junit.stderr).toBe(0);
    expect(junit.stdout).toMatch(/<testcase[^>]*handshake/);
    await current().close();

    const bad = await serve('slack', 'ok');
    const pretty = await runCli(['verify', '--provider', 'slack', '--forward', bad.url, '--secret', bad.secret, '--checks', 'handshake']);
    expect(pretty.code).toBe(1);
    expect(pretty.stdout + pretty.stderr).toContain('will not enable the endpoint');
  });

  it('refuses --checks handshake for a provider without one (exit 2, one line)', async () => {
    const run = await runCli(['verify', '--provider', 'stripe', '--forward', 'http://127.0.0.1:9/x', '--secret', 'whsec_x', '--checks', 'handshake']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^whcli: --checks handshake: stripe sends no verification handshake/);
  });
});

describe('whcli trigger <handshake name>', () => {
  it('sends Slack\'s url_verification from the CLI and reports a correct answer, exit 0', async () => {
    const { url, secret } = await serve('slack', 'correct');
    const run = await runCli(['trigger', 'url_verification', '--provider', 'slack', '--forward', url, '--secret', secret, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ event: 'url_verification', ok: true, handshake: { ok: true } });
    expect(current().received).toHaveLength(1);
  });

  it('fails a handler that does not echo with exit 1 and what to answer', async () => {
    const { url, secret } = await serve('slack', 'ok');
    const run = await runCli(['trigger', 'url_verification', '--provider', 'slack', '--forward', url, '--secret', secret]);
    expectOneLineError(run, 1, /url_verification: the answer does not echo the challenge: slack sends url_verification .* will not enable the endpoint/);
  });

  it.each(['zoom', 'twitch', 'discord'])('judges %s\'s handshake by its name', async (provider) => {
    const name = handshakeFor({ name: provider })!.name;
    for (const answer of ['correct', 'ok'] as const) {
      const { url, secret } = await serve(provider, answer);
      const result = await trigger({ event: name, provider, forward: url, secret }, { environment });
      expect(result.attempts[0]!.result.status).toBe(200);
      expect([result.ok, result.handshake?.ok]).toEqual(answer === 'correct' ? [true, true] : [false, false]);
      await current().close();
    }
  });
});
