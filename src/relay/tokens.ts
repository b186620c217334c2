import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 random bits, URL-safe: a channel id nobody can guess. */
export function newChannelId(): string {
  return `ch_${randomBytes(16).toString('base64url')}`;
}

/** 256 random bits: the listener's proof that it owns the channel. */
export function newToken(): string {
  return `wht_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored only as their sha256. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time check of a presented token against the stored hash. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

// Event ids need to be unique, not secret (the channel id is the secret): a random per-process
// prefix and a counter keep them unique across relays sharing a store, without a syscall per event.
const eventIdPrefix = `rev_${randomBytes(6).toString('base64url')}`;
let eventCounter = 0;

export function newEventId(): string {
  eventCounter += 1;
  return `${eventIdPrefix}${eventCounter.toString(36).padStart(6, '0')}`;
}
