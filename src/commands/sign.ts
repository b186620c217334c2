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
  deps: { environment: Environment; readStdin: () => Promise<Buffer> },
): Promise<SignResult> {
  const { config, catalogue } = await loadContext(deps.environment, options.config);
  const providerName = options.provider ?? config?.provider;
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
  } else {
    body = await deps.readStdin();
  }
  const timestamp = options.timestamp === undefined ? Math.floor(Date.now() / 1000) : Number(options.timestamp);
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new UsageError(`--timestamp must be unix seconds, got "${options.timestamp}"`);
  const id = options.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  return { provider: provider.name, timestamp, id, headers: signatureHeaders(provider, { body, secret, eventId: id, timestamp }) };
}
