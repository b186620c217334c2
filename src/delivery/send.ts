import { performance } from 'node:perf_hooks';
import { Agent, errors } from 'undici';

/** Bytes of a response body kept for display and reports. */
export const RESPONSE_EXCERPT_BYTES = 4096;

export type HeaderList = Record<string, string | string[]>;

export interface OutgoingRequest {
  url: URL;
  /** Path and query exactly as they should appear on the request line (default: from `url`). */
  rawPath?: string;
  method: string;
  headers: HeaderList;
  body: Uint8Array;
  timeoutMs: number;
  /** Ends the request early (Ctrl-C). */
  signal?: AbortSignal;
}

export type DeliveryFailure = 'refused' | 'timeout' | 'reset' | 'dns' | 'error';

/** What happened to one attempt. */
export interface DeliveryResult {
  ok: boolean;
  status?: number;
  durationMs: number;
  headers?: HeaderList;
  /** The start of the response body, as text. */
  body?: string;
  bodyBytes?: number;
  error?: { kind: DeliveryFailure; message: string };
}

// One keep-alive pool for the whole process: handlers see reused connections, as from a provider.
let sharedAgent: Agent | undefined;
function agent(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, connections: 128 });
  return sharedAgent;
}

/** Closes pooled connections so the process can exit promptly. */
export async function closeDeliveryPool(): Promise<void> {
  const current = sharedAgent;
  sharedAgent = undefined;
  await current?.close();
}

function classify(error: unknown, url: URL, timeoutMs: number): { kind: DeliveryFailure; message: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code;
  const where = `${url.protocol}//${url.host}`;
  if (code === 'ECONNREFUSED') return { kind: 'refused', message: `connection refused by ${where}: is the handler running?` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', message: `cannot resolve host ${url.hostname}` };
  if (
    err.name === 'TimeoutError' ||
    err.name === 'AbortError' ||
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError
  ) {
    return { kind: 'timeout', message: `no response from ${where} within ${timeoutMs}ms` };
  }
  if (code === 'ECONNRESET' || error instanceof errors.SocketError) {
    return { kind: 'reset', message: `connection to ${where} was closed before a response` };
  }
  return { kind: 'error', message: err.message || String(error) };
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): HeaderList {
  const out: HeaderList = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) out[name] = value;
  return out;
}

/** Reads a response body to its end, keeping only its first bytes as text. */
function readExcerpt(body: NodeJS.ReadableStream): Promise<{ excerpt: string; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    body.once('end', () => {
      const kept = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve({ excerpt: kept.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'), size });
    });
    body.once('error', reject);
  });
}

/** Sends one request and times it; never throws for network or HTTP failures. */
export async function sendRequest(req: OutgoingRequest): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    // The dispatcher takes the path as given; going through a URL would re-encode the query.
    const response = await agent().request({
      origin: req.url.origin,
      path: req.rawPath ?? `${req.url.pathname}${req.url.search}`,
      method: req.method as 'POST',
      headers: req.headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
      // undici's own timeouts run on a coarse clock; the signal makes --timeout 300ms mean 300 ms.
      signal: req.signal ? AbortSignal.any([AbortSignal.timeout(req.timeoutMs), req.signal]) : AbortSignal.timeout(req.timeoutMs),
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const { excerpt, size } = await readExcerpt(response.body);
    const status = response.statusCode;
    return {
      ok: status >= 200 && status < 300,
      status,
      durationMs: elapsed(),
      headers: flattenHeaders(response.headers),
      body: excerpt,
      bodyBytes: size,
    };
  } catch (error) {
    return { ok: false, durationMs: elapsed(), error: classify(error, req.url, req.timeoutMs) };
  }
}
