/**
 * Recorded events: what `whcli history export` writes from a listener's history, scrubbed, and
 * `whcli verify --from` sends again as checks. One JSON file per event.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, WhcliError } from '../errors.js';
import type { RenderedEvent } from '../fixtures/render-event.js';
import { applySet } from '../fixtures/set-path.js';
import { renderString } from '../fixtures/template.js';
import { signerFor } from '../providers/sign.js';
import type { ProviderSpec } from '../providers/types.js';

export const RECORDED_FORMAT = 'whcli.recorded-event/1';

export interface RecordedEvent {
  format: typeof RECORDED_FORMAT;
  provider: string;
  event: string;
  /** ISO time the listener received it. */
  receivedAt: string;
  /** The provider's own headers as received, signatures and credentials removed. */
  headers: Record<string, string>;
  /** The body: parsed JSON, or text when it was not JSON. */
  body: unknown;
  bodyIsText?: boolean;
}

/** Headers never written to a recorded event: transport, credentials and whcli's own. */
const DROPPED_HEADERS = /^(host|connection|keep-alive|transfer-encoding|te|trailer|upgrade|proxy-.*|content-length|authorization|cookie|set-cookie|x-api-key|x-forwarded-.*|x-real-ip|forwarded|x-whcli-.*)$/i;

/** The headers worth keeping from a received request: the provider's own, minus its signature headers. */
export function keptHeaders(headers: readonly [string, string][], provider: ProviderSpec | undefined): Record<string, string> {
  const signature = new Set((provider ? signerFor(provider).headerNames : []).map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (DROPPED_HEADERS.test(name) || signature.has(name.toLowerCase())) continue;
    out[name] = value;
  }
  return out;
}

function bad(file: string, why: string): WhcliError {
  return new WhcliError('WHCLI_ERR_BAD_FIXTURE', `recorded event ${file}: ${why}`, 2);
}

/** Reads every *.json recorded event in a folder, sorted by file name; each must be for `provider`. */
export async function readRecordedDir(dir: string, provider: ProviderSpec): Promise<{ file: string; event: RecordedEvent }[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message;
    throw new UsageError(`--from ${dir}: ${why} (write one with \`whcli history export <id> --to ${dir}\`)`);
  }
  if (files.length === 0) throw new UsageError(`--from ${dir}: no .json recorded events in it (write them with \`whcli history export <id> --to ${dir}\`)`);
  const out: { file: string; event: RecordedEvent }[] = [];
  for (const file of files) {
    let parsed: Partial<RecordedEvent>;
    try {
      parsed = JSON.parse(await readFile(join(dir, file), 'utf8')) as Partial<RecordedEvent>;
    } catch (error) {
      throw bad(join(dir, file), `not valid JSON: ${(error as Error).message}`);
    }
    if (parsed.format !== RECORDED_FORMAT) throw bad(join(dir, file), `"format" must be "${RECORDED_FORMAT}" (files written by \`whcli history export\`)`);
    if (typeof parsed.event !== 'string' || !parsed.event) throw bad(join(dir, file), '"event" is missing');
    if (parsed.provider !== provider.name) {
      throw bad(join(dir, file), `recorded from ${parsed.provider ?? 'an unknown provider'}, but this run checks ${provider.name}: pass --provider ${parsed.provider ?? '<name>'}, or keep each provider's events in a folder of their own`);
    }
    out.push({ file, event: { ...parsed, headers: parsed.headers ?? {} } as RecordedEvent });
  }
  return out;
}

/** A recorded event ready to sign: its body with a fresh event id where the provider keeps one. */
export function renderRecorded(provider: ProviderSpec, recorded: RecordedEvent): RenderedEvent {
  const nowMs = Date.now();
  const eventId = String(renderString(provider.envelope.idTemplate, { event: recorded.event, eventId: '', nowMs }));
  const headers = { ...recorded.headers };
  const idFrom = provider.envelope.idFrom;
  let body: Buffer;
  if (recorded.bodyIsText || typeof recorded.body === 'string') {
    body = Buffer.from(String(recorded.body));
  } else {
    const copy = structuredClone(recorded.body);
    // A fresh id per send, as the checks expect; the duplicate checks reuse it on purpose.
    if (idFrom?.path && copy && typeof copy === 'object') applySet(copy, `${idFrom.path}=${JSON.stringify(eventId)}`);
    body = Buffer.from(JSON.stringify(copy));
  }
  if (idFrom?.header) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === idFrom.header.toLowerCase()) delete headers[name];
    headers[idFrom.header] = eventId;
  }
  if (!Object.keys(headers).some((n) => n.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return { provider: provider.name, event: recorded.event, eventId, body, headers };
}
