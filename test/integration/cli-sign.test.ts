import { createHmac } from 'node:crypto';
/** `whcli sign` through the real CLI, from stdin and --file, checked by each provider's oracle. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli, tempDir } from '../helpers/foundation-cli.js';
import { SECRETS, oracleAccepts } from '../helpers/foundation-oracles.js';

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

// Bytes a re-serializing signer would get wrong: pretty-printed, non-ASCII, trailing newline.
const BODY = '{\n  "event": "charge.success",\n  "data": { "amount": 1.50, "customer": "Zoë" }\n}\n';

const parseHeaderLines = (stdout: string) =>
  Object.fromEntries(
    stdout
      .trimEnd()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 2)]),
  );

// Independent subprocesses with no shared state: run them side by side.
describe.concurrent('whcli sign', () => {
  it('signs stdin: github, checked with @octokit/webhooks-methods', async () => {
    const secret = SECRETS.github!;
    const run = await runCli(['sign', '--provider', 'github', '--secret', secret], { input: BODY });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const headers = parseHeaderLines(run.stdout);
    expect(Object.keys(headers)).toEqual(['x-hub-signature-256', 'x-hub-signature']);
    expect(await octokitVerify(secret, BODY, headers['x-hub-signature-256']!)).toBe(true);
    // The legacy SHA-1 header GitHub still sends, recomputed here.
    expect(headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', secret).update(BODY).digest('hex')}`);
  });

  it('signs --file: stripe with --timestamp, checked with Stripe.webhooks.constructEvent', async () => {
    const file = join(dir.path, 'body.json');
    writeFileSync(file, BODY);
    const secret = SECRETS.stripe!;
    const run = await runCli(['sign', '-p', 'stripe', '-s', secret, '--file', file, '--timestamp', '1700000000', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { provider: string; timestamp: number; id: string; headers: Record<string, string> };
    expect(result).toMatchObject({ provider: 'stripe', timestamp: 1_700_000_000 });
    const header = result.headers['Stripe-Signature']!;
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    const event = Stripe.webhooks.constructEvent(Buffer.from(BODY), header, secret, 300, undefined, 1_700_000_100_000);
    expect(event).toMatchObject({ event: 'charge.success' });
    expect(() => Stripe.webhooks.constructEvent(Buffer.from(BODY.trimEnd()), header, secret, 300, undefined, 1_700_000_100_000)).toThrow();
  });

  it('signs with --id: standard-webhooks, checked with the standardwebhooks library', async () => {
    const secret = SECRETS['standard-webhooks']!;
    const run = await runCli(['sign', '--provider', 'standard-webhooks', '--secret', secret, '--id', 'msg_fixed_1', '--json'], { input: BODY });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { id: string; headers: Record<string, string> };
    expect(result.id).toBe('msg_fixed_1');
    expect(result.headers['webhook-id']).toBe('msg_fixed_1');
    expect(new Webhook(secret).verify(BODY, result.headers)).toMatchObject({ event: 'charge.success' });
  });

  it.each(['paystack', 'lahza', 'hackmamba', 'slack', 'shopify'])('signs for %s as its docs verify', async (provider) => {
    const secret = SECRETS[provider]!;
    const run = await runCli(['sign', '--provider', provider, '--secret', secret], { input: BODY });
    expect(run.code).toBe(0);
    expect(await oracleAccepts(provider, secret, Buffer.from(BODY), parseHeaderLines(run.stdout))).toBe(true);
  });

  it('--curl prints -H arguments', async () => {
    const run = await runCli(['sign', '-p', 'paystack', '-s', SECRETS.paystack!, '--curl'], { input: BODY });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^-H 'x-paystack-signature: [0-9a-f]{128}' \n$/);
  });

  it('takes the secret from WHCLI_SECRET', async () => {
    const run = await runCli(['sign', '-p', 'lava'], { input: BODY, env: { WHCLI_SECRET: SECRETS.lava } });
    expect(run.code).toBe(0);
    expect(await oracleAccepts('lava', SECRETS.lava!, Buffer.from(BODY), parseHeaderLines(run.stdout))).toBe(true);
  });

  it.each([
    [['sign', '--secret', 's'], /^whcli: sign needs --provider \(or "provider" in whcli\.config\.json\)$/],
    [['sign', '--provider', 'stripe'], /^whcli: no signing secret: /],
    [['sign', '--provider', 'strip', '--secret', 's'], /^whcli: unknown provider "strip"\. Did you mean "stripe"\?$/],
    [['sign', '--provider', 'stripe', '--secret', 's', '--file', '/nonexistent/body.json'], /^whcli: cannot read --file \/nonexistent\/body\.json$/],
    [['sign', '--provider', 'stripe', '--secret', 's', '--timestamp', 'yesterday'], /^whcli: --timestamp must be unix seconds, got "yesterday"$/],
  ])('rejects %j with one line, exit 2', async (args, message) => {
    expectOneLineError(await runCli(args, { input: BODY }), 2, message);
  });
});
