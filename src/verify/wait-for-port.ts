import { connect } from 'node:net';

export type ConnectOutcome = { ok: true } | { ok: false; code: string; message: string };

/** The host and port a URL points at; IPv6 brackets removed, default ports filled in. */
export function hostAndPort(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host, port };
}

/** One TCP connection attempt to a URL's host and port, closed as soon as it opens. */
export function tryConnect(url: URL, timeoutMs: number): Promise<ConnectOutcome> {
  const { host, port } = hostAndPort(url);
  const where = `${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ConnectOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, code: 'ETIMEDOUT', message: `no connection to ${where} within ${timeoutMs}ms` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'ERROR';
      const message =
        code === 'ECONNREFUSED'
          ? `connection refused by ${where}`
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? `cannot resolve host ${host}`
            : `cannot connect to ${where}: ${error.message}`;
      done({ ok: false, code, message });
    });
  });
}

export type WaitOutcome = 'ready' | 'timeout' | 'aborted' | 'exited';

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Settles when the process expected to open the port has exited: no point waiting longer. */
  exited?: Promise<unknown>;
  /** Pause between attempts. */
  intervalMs?: number;
}

/** Polls until the URL's host:port accepts a TCP connection, the time runs out, the process exits or the signal aborts. */
export async function waitForPort(url: URL, options: WaitOptions): Promise<WaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 100;
  let exited = false;
  void options.exited?.then(
    () => (exited = true),
    () => (exited = true),
  );
  const interrupted = (): WaitOutcome | undefined => (options.signal?.aborted ? 'aborted' : exited ? 'exited' : undefined);
  for (;;) {
    const early = interrupted();
    if (early) return early;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return 'timeout';
    const attempt = await tryConnect(url, Math.min(remaining, 1000));
    if (attempt.ok) return 'ready';
    const late = interrupted();
    if (late) return late;
    await pause(Math.min(intervalMs, Math.max(0, deadline - Date.now())), options);
  }
}

/** Waits `ms`, or less when the signal aborts or the process exits. */
function pause(ms: number, options: WaitOptions): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    options.signal?.addEventListener('abort', done, { once: true });
    void options.exited?.then(done, done);
  });
}
