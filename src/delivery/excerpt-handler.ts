import type { Dispatcher } from 'undici';

/** A final answer: status, headers as undici parses them, the body's first bytes as text and its full size. */
export interface ExcerptResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  excerpt: string;
  size: number;
}

/**
 * An undici dispatch handler that keeps the first `limit` bytes of the response body and counts the
 * rest. On the delivery path it replaces `request()`, whose per-request async resource, body stream
 * and AbortSignal cost more than the exchange itself; it behaves as `request()` followed by reading
 * the body to its end: 1xx answers are skipped, and abort() before the request is on a socket takes
 * effect once it is.
 */
export class ExcerptHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;
  private statusCode = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly limit: number,
    private readonly done: (error: Error | null, response?: ExcerptResponse) => void,
  ) {}

  /** Ends the request with `reason`, which the result's error then is. */
  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.reason) controller.abort(this.reason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.size < this.limit) this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    const kept = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.done(null, { statusCode: this.statusCode, headers: this.headers, excerpt: kept.subarray(0, this.limit).toString('utf8'), size: this.size });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.done(error);
  }
}
