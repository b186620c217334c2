/**
 * Every event of every provider beyond the seed set, sent by the real `whcli trigger` (a subprocess
 * of the built CLI) to a real handler on loopback: the provider's own verifier (official library,
 * or the code from its docs) accepts the raw bytes received, and refuses them under a wrong key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../../src/providers/builtin.js';
import { runCli } from '../helpers/foundation-cli.js';
import { ORACLE_PROVIDERS } from '../helpers/foundation-oracles.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';
import { PROVIDER_ORACLES, PROVIDER_SECRETS } from '../helpers/provider-oracles.js';

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

// Each case has its own handler, so cases run side by side (each one waits on a CLI subprocess).
describe.concurrent('whcli trigger, checked by each provider\'s own verifier', () => {
  it.each(cases)('%s', async (_, providerName, eventName) => {
    const server = await startRecordingServer();
    try {
      await triggerAndCheck(server, providerName, eventName);
    } finally {
      await server.close();
    }
  });
});

async function triggerAndCheck(server: RecordingServer, providerName: string, eventName: string): Promise<void> {
  {
    const provider = builtinProviders.find((p) => p.name === providerName)!;
    const keys = ASYMMETRIC.has(providerName) ? keyPair(providerName) : undefined;
    const secret = keys?.privatePem ?? PROVIDER_SECRETS[providerName]!;
    const url = `${server.url}/hooks/${providerName}?source=whcli`;
    // Private keys travel by environment (WHCLI_SECRET), as they would in CI.
    const run = await runCli(['trigger', eventName, '--provider', providerName, '--forward', url, '--json', ...(keys ? [] : ['--secret', secret])], {
      env: keys ? { WHCLI_SECRET: secret } : {},
    });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { body: string; headers: Record<string, string>; eventId: string };
    const received = await server.request(0);

    expect(received.method).toBe('POST');
    expect(received.url).toBe(`/hooks/${providerName}?source=whcli`);
    // The bytes whcli reports sending are the bytes the handler got.
    expect(received.body.toString('utf8')).toBe(result.body);
    const form = provider.envelope.format === 'form';
    expect(received.headers['content-type']).toBe(form ? 'application/x-www-form-urlencoded' : 'application/json');
    if (form) expect(new URLSearchParams(result.body).size).toBeGreaterThan(0);

    const oracle = PROVIDER_ORACLES[providerName]!;
    const delivery = { body: received.body, headers: received.headers, url, method: received.method };
    const key = keys?.publicKey ?? secret;
    expect(await oracle(key, delivery), 'the provider\'s verifier refused the request').toBe(true);
    // The same verifier refuses it under a wrong key or secret ...
    const wrong = keys?.wrongPublicKey ?? (providerName === 'adyen' ? secret.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`);
    expect(await oracle(wrong, delivery), 'a wrong key was accepted').toBe(false);
    // ... and at another URL, for the providers that sign it.
    if (['twilio', 'square', 'hubspot'].includes(providerName)) {
      expect(await oracle(key, { ...delivery, url: url.replace('/hooks/', '/other/') })).toBe(false);
    }
  }
}
