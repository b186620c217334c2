/**
 * Every event of every provider beyond the seed set, sent by `whcli trigger` to a real handler on
 * loopback: the provider's own verifier (official library, or the code from its docs) accepts the
 * raw bytes received, and refuses them under a wrong key. One event per provider goes through the
 * built CLI as a subprocess; every event goes through trigger() in-process, the function the CLI runs
 * (about 190 subprocesses would take minutes on a busy two-core machine).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../../src/providers/builtin.js';
import { trigger } from '../../src/commands/trigger.js';
import { runCli, tempDir } from '../helpers/foundation-cli.js';
import { ORACLE_PROVIDERS } from '../helpers/foundation-oracles.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';
import { PROVIDER_ORACLES, PROVIDER_SECRETS, type Delivery } from '../helpers/provider-oracles.js';
import { handshakeAnswer } from '../helpers/handshake-answers.js';

/** A key pair made here with node:crypto, and its public key in the form each handler is given. */
function keyPair(provider: string): { privatePem: string; publicKey: string; wrongPublicKey: string } {
  const make = () => (provider === 'discord' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
  const handlerForm = (pair: ReturnType<typeof make>) => {
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
    // Discord shows the raw 32-byte Ed25519 key in hex; SendGrid the DER SPKI in base64.
    return provider === 'discord' ? spki.subarray(-32).toString('hex') : spki.toString('base64');
  };
  const pair = make();
  return { privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: handlerForm(pair), wrongPublicKey: handlerForm(make()) };
}

const ASYMMETRIC = new Set(['discord', 'sendgrid']);
const covered = builtinProviders.filter((p) => !ORACLE_PROVIDERS.includes(p.name));
const cases = covered.flatMap((p) => p.events.map((e) => [`${p.name} ${e.name}`, p.name, e.name] as const));

describe('provider oracles', () => {
  it('cover every built-in provider the seed oracles do not', () => {
    expect(Object.keys(PROVIDER_ORACLES).sort()).toEqual(covered.map((p) => p.name).sort());
    expect(covered.length + ORACLE_PROVIDERS.length).toBeGreaterThanOrEqual(35);
  });
});

type Send = (providerName: string, eventName: string, url: string, secret: string, asymmetric: boolean) => Promise<{ body: string; headers: Record<string, string> }>;

/** The built CLI as a subprocess; private keys travel by environment (WHCLI_SECRET), as in CI. */
const viaCli: Send = async (providerName, eventName, url, secret, asymmetric) => {
  const run = await runCli(['trigger', eventName, '--provider', providerName, '--forward', url, '--json', ...(asymmetric ? [] : ['--secret', secret])], {
    env: asymmetric ? { WHCLI_SECRET: secret } : {},
  });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { body: string; headers: Record<string, string> };
};

/** trigger(), the command function the CLI calls, in this process. */
const inProcess: Send = async (providerName, eventName, url, secret) => {
  const home = tempDir();
  try {
    const result = await trigger({ event: eventName, provider: providerName, forward: url, secret }, { environment: { cwd: home.path, env: { WHCLI_HOME: home.path } } });
    expect(result.ok).toBe(true);
    return result;
  } finally {
    home.remove();
  }
};

const firstEvents = covered.map((p) => [`${p.name} ${p.events[0]!.name}`, p.name, p.events[0]!.name] as const);

describe('the built CLI, one event per provider', () => {
  it.each(firstEvents)('%s', (_, providerName, eventName) => triggerAndCheck(viaCli, providerName, eventName));
});

describe('every event of every provider', () => {
  it.each(cases)('%s', (_, providerName, eventName) => triggerAndCheck(inProcess, providerName, eventName));
});

async function triggerAndCheck(send: Send, providerName: string, eventName: string): Promise<void> {
  const provider = builtinProviders.find((p) => p.name === providerName)!;
  const keys = ASYMMETRIC.has(providerName) ? keyPair(providerName) : undefined;
  const secret = keys?.privatePem ?? PROVIDER_SECRETS[providerName]!;
  const key = keys?.publicKey ?? secret;
  const oracle = PROVIDER_ORACLES[providerName]!;
  let url = '';
  // Checked as the request arrives, as a handler would: Paddle's SDK allows only 5 seconds.
  let atArrival: Promise<boolean> | undefined;
  const server: RecordingServer = await startRecordingServer((req) => {
    atArrival = Promise.resolve(oracle(key, { body: req.body, headers: req.headers, url, method: req.method }));
    // A handshake (Discord's PING, Zoom's endpoint.url_validation) is answered as the provider's docs say.
    return handshakeAnswer(providerName, { body: req.body, headers: req.headers }, secret) ?? { status: 200, body: 'ok' };
  });
  try {
    url = `${server.url}/hooks/${providerName}?source=whcli`;
    const result = await send(providerName, eventName, url, secret, keys !== undefined);
    const received = await server.request(0);

    expect(received.method).toBe('POST');
    expect(received.url).toBe(`/hooks/${providerName}?source=whcli`);
    // The bytes whcli reports sending are the bytes the handler got.
    expect(received.body.toString('utf8')).toBe(result.body);
    const form = provider.envelope.format === 'form';
    expect(received.headers['content-type']).toBe(form ? 'application/x-www-form-urlencoded' : 'application/json');
    if (form) expect(new URLSearchParams(result.body).size).toBeGreaterThan(0);

    expect(await atArrival, "the provider's verifier refused the request").toBe(true);
    const delivery: Delivery = { body: received.body, headers: received.headers, url, method: received.method };
    // The same verifier refuses it under a wrong key or secret ...
    const wrong = keys?.wrongPublicKey ?? (providerName === 'adyen' ? secret.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`);
    expect(await oracle(wrong, delivery), 'a wrong key was accepted').toBe(false);
    // ... and at another URL, for the providers that sign it.
    if (['twilio', 'square', 'hubspot'].includes(providerName)) {
      expect(await oracle(key, { ...delivery, url: url.replace('/hooks/', '/other/') })).toBe(false);
    }
  } finally {
    await server.close();
  }
}
