import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { type Environment, loadContext, resolveProviderSecret } from '../context.js';
import { UsageError } from '../errors.js';
import { signatureHeaders } from '../providers/sign.js';

export interface SignOptions {
  provider?: string;
  secret?: string;
  file?: string;
  timestamp?: string;
  id?: string;
  config?: string;
  /** The URL URL-signing providers sign (twilio, square, hubspot). */
  url?: string;
}

export interface SignResult {
  provider: string;
  timestamp: number;
  id: string;
  headers: Record<string, string>;
}

/** Signature headers for a body from a file or stdin, ready to paste into curl. */
export async function sign(
  options: SignOptions,
  deps: { environment: Environment; readStdin: () => Promise<Buffer>; stdinIsTerminal?: () => boolean },
): Promise<SignResult> {
  const { config, catalogue } = await loadContext(deps.environment, options.config);
  const providerName = options.provider ?? deps.environment.env.WHCLI_PROVIDER ?? config?.provider;
  if (!providerName) throw new UsageError('sign needs --provider (or "provider" in whcli.config.json)');
  const provider = catalogue.provider(providerName);
  const secret = resolveProviderSecret(provider, options.secret, deps.environment, config);
  let body: Buffer;
  if (options.file) {
    try {
      body = await readFile(options.file);
    } catch {
      throw new UsageError(`cannot read --file ${options.file}`);
    }
  } else if (deps.stdinIsTerminal?.()) {
    // Waiting for a body typed at the terminal looks like a hang: nobody signs a body that way.
    throw new UsageError('sign reads the body from stdin, which is a terminal: pipe it in (cat body.json | whcli sign ...) or pass --file body.json');
  } else {
    body = await deps.readStdin();
  }
  const timestamp = options.timestamp === undefined ? Math.floor(Date.now() / 1000) : Number(options.timestamp);
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new UsageError(`--timestamp must be unix seconds, got "${options.timestamp}"`);
  const id = options.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const url = options.url ?? deps.environment.env.WHCLI_PUBLIC_URL ?? config?.signatureUrl;
  if (url === undefined && provider.scheme.type === 'templated-hmac' && provider.scheme.payload.includes('{url}')) {
    throw new UsageError(`${provider.name} signs the URL the request is sent to: pass --url (e.g. --url https://example.com/webhooks)`);
  }
  return { provider: provider.name, timestamp, id, headers: signatureHeaders(provider, { body, secret, eventId: id, timestamp, url }) };
}
