/** Requests a second a key may make, and how many it may make at once above that. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in milliseconds of `now()`. */
  at: number;
}

/**
 * A token bucket per key (a channel): each request takes a token, tokens come back at `perSecond`
 * and a full bucket holds `burst`. Buckets that would be full again are forgotten, so memory follows
 * the channels that are busy right now, not every channel ever seen.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new RangeError('a rate limit needs perSecond > 0 and burst >= 1');
  }

  /** Takes a token for `key`: 0 when allowed, otherwise whole seconds until a token is back (at least 1). */
  take(key: string): number {
    const now = this.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      // At most once a second, and only when there is something worth sweeping.
      if (this.buckets.size > 1024 && now - this.lastSweep >= 1000) this.sweep(now);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
  }

  /** Buckets currently held (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSec = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSec * this.limit.perSecond);
    bucket.at = now;
    return bucket;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
    this.lastSweep = now;
  }
}
