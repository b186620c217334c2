import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header the page sends its session token in; a cross-origin page cannot set it without a CORS preflight, which is refused. */
export const TOKEN_HEADER = 'x-whcli-token';

/** 256 random bits, new for every `whcli listen`. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison after a length check. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The origins the page itself is served from. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/**
 * Why a request must be refused before anything else, or undefined. A Host other than loopback is a
 * DNS-rebinding page (evil.example resolving to 127.0.0.1): it would be same-origin with us otherwise.
 */
export function refuseHost(headers: IncomingHttpHeaders, port: number): string | undefined {
  const host = headers.host?.toLowerCase();
  if (!host || !ownOrigins(port).some((origin) => origin === `http://${host}`)) return `host "${headers.host ?? ''}" is not this inspector`;
  return undefined;
}

/**
 * Why an action (a POST that sends something to the handler) must be refused, or undefined. The page
 * got the token inside its HTML, which no other origin can read; browsers always send Origin on a POST.
 */
export function refuseAction(headers: IncomingHttpHeaders, port: number, token: string): string | undefined {
  const origin = headers.origin;
  if (!origin || !ownOrigins(port).includes(origin)) return `origin "${origin ?? ''}" may not act on this inspector`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `cross-site request (${site})`;
  const given = headers[TOKEN_HEADER];
  if (!tokenMatches(typeof given === 'string' ? given : undefined, token)) return 'missing or wrong session token';
  if (!headers['content-type']?.toLowerCase().startsWith('application/json')) return 'actions take application/json';
  return undefined;
}
