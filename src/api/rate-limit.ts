/**
 * Per-key rate limit: a token bucket per caller (API key id, or client address when
 * unauthenticated). Each caller may send `burst` requests at once, then `perMinute` a minute.
 * In memory, per process: with several instances, each enforces the limit on its own share of
 * the traffic (documented in docs/http.md).
 */
import type { RateLimit } from './config.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept at most; the oldest idle ones are dropped first (a full bucket is the same as none). */
const MAX_BUCKETS = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;

  constructor(limit: RateLimit, private readonly now: () => number = Date.now) {
    this.perMs = limit.perMinute / 60_000;
    this.burst = Math.max(1, limit.burst ?? Math.ceil(limit.perMinute / 6));
  }

  /** The seconds `caller` must wait before `take` would succeed (0: it may go ahead now); counts nothing. */
  peek(caller: string): number {
    const b = this.buckets.get(caller);
    if (!b) return 0;
    const tokens = Math.min(this.burst, b.tokens + (this.now() - b.at) * this.perMs);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
  }

  /** 0 when the request may go ahead (and is counted), else the seconds to wait before retrying. */
  take(caller: string): number {
    const t = this.now();
    let b = this.buckets.get(caller);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMs);
      b.at = t;
      // Re-insert: the Map's order is then least recently used first.
      this.buckets.delete(caller);
    } else {
      b = { tokens: this.burst, at: t };
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(caller, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
  }
}
