import type { IncomingMessage } from 'node:http';
import type { ByteBudget } from './byte-budget.js';

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The relay as a whole is receiving as many bytes as it may hold: the sender should retry later. */
export class RelayBusyError extends Error {
  override name = 'RelayBusyError';
}

/**
 * Reads a request body as raw bytes, refusing more than `limit` bytes, and holding what it has read
 * against `budget` (the relay's bound on bodies in flight) until the caller releases it.
 */
export async function readBody(req: IncomingMessage, limit: number, budget?: ByteBudget): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  // Plain listeners rather than an async iterator: this runs once per event on the hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (error: Error) => {
      req.off('data', onData);
      req.resume();
      budget?.release(size);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limit) return refuse(new BodyTooLargeError());
      if (budget && !budget.take(chunk.length)) return refuse(new RelayBusyError());
      size += chunk.length;
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', (error) => {
      budget?.release(size);
      reject(error);
    });
  });
}

/** Raw header pairs, original case and order, repeated headers kept. */
export function headerPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

const BASE = 'http://relay.invalid/base';
const PLAIN_SUFFIX = /^(?:\/[^.\\%?#\t\n\r]*)?$/;

/**
 * Whether a sender's path suffix ("/stripe/events") could move the listener's request anywhere but
 * below its --forward path. It is resolved as URL parsers do (WHATWG: "\" is "/" in http URLs,
 * "%2e" is ".", tabs and newlines vanish) and refused when it leaves the base or when resolving
 * changed its segments at all: a "." or ".." that stays inside today climbs out once joined to a
 * shorter --forward path, so none is let through. Separators written as %5C or %2F count too, as
 * handlers' routers often decode them before splitting.
 */
export function pathLeavesBase(suffix: string): boolean {
  // Most paths are "" or plain segments: only these characters can make a URL parser change a path.
  if (PLAIN_SUFFIX.test(suffix)) return false;
  return resolvesAway(suffix) || resolvesAway(suffix.replace(/%5c/gi, '\\').replace(/%2f/gi, '/'));
}

function resolvesAway(suffix: string): boolean {
  let resolved: URL;
  try {
    resolved = new URL(`${BASE}${suffix}`);
  } catch {
    return true;
  }
  if (resolved.origin !== new URL(BASE).origin) return true;
  if (resolved.pathname !== '/base' && !resolved.pathname.startsWith('/base/')) return true;
  // Same number of segments as written, "\" counted as the separator it becomes: nothing was resolved away.
  const written = suffix.split(/[/\\]/).length;
  const kept = resolved.pathname.slice('/base'.length).split('/').length;
  if (written !== kept) return true;
  return suffix.split(/[/\\]/).some((segment) => /^(\.|%2e){1,2}$/i.test(segment.replace(/[\t\n\r]/g, '')));
}
