/**
 * Talking to a relay from tests: exact-header ingress requests (node:http), /metrics, a reserved
 * free port, and the saved credentials of a listener.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Sends a request with exactly these header pairs, in this order (repeats kept; Host and
 * Content-Length are added unless given, or `chunked` is set).
 */
export async function sendRaw(
  url: string,
  options: { method?: string; headers?: [string, string][]; body?: Buffer | string; chunked?: boolean } = {},
): Promise<RawResponse> {
  const target = new URL(url);
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : (options.body ?? Buffer.alloc(0));
  const pairs = [...(options.headers ?? [])];
  const has = (name: string) => pairs.some(([k]) => k.toLowerCase() === name);
  if (!has('host')) pairs.unshift(['Host', target.host]);
  if (!options.chunked && !has('content-length') && !has('transfer-encoding')) pairs.push(['Content-Length', String(body.length)]);
  if (options.chunked && !has('transfer-encoding')) pairs.push(['Transfer-Encoding', 'chunked']);
  // The path goes on the request line as written: new URL() would re-encode quotes in the query.
  const rawPath = url.slice(target.origin.length) || '/';
  const req = request({ host: target.hostname, port: target.port, path: rawPath, method: options.method ?? 'POST', headers: pairs.flat(), agent: false });
  req.end(body);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

/** POSTs a body to an ingress URL; resolves with the relay's answer. */
export async function postEvent(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, json };
}

/** /metrics as name (with labels) -> value. */
export async function readMetrics(relayUrl: string): Promise<Record<string, number>> {
  const response = await fetch(new URL('/metrics', relayUrl));
  const text = await response.text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return out;
}

/**
 * Polls /metrics until `check` holds. The relay has no event to wait on for "acknowledged", so this
 * is a bounded poll of observable state, not a sleep standing in for one.
 */
export async function waitForMetrics(
  relayUrl: string,
  check: (metrics: Record<string, number>) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, number> = {};
  for (;;) {
    last = await readMetrics(relayUrl);
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; metrics: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A port that was free a moment ago (bound to 0, then released), for servers started later. */
export async function reservePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The channel credentials a listener saved under WHCLI_HOME for a relay base URL. */
export async function savedChannel(home: string, relayUrl: string): Promise<{ id: string; token: string; url: string }> {
  const all = JSON.parse(await readFile(join(home, 'config', 'channels.json'), 'utf8')) as Record<string, { id: string; token: string; url: string }>;
  const key = new URL(relayUrl).toString();
  const found = all[key];
  if (!found) throw new Error(`no saved channel for ${key} in ${Object.keys(all).join(', ')}`);
  return found;
}

/** The WebSocket URL of a channel. */
export function socketUrl(relayUrl: string, channel: string): string {
  return `${relayUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/${channel}`;
}
