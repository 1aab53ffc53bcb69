/**
 * A token bucket per key, in memory: each key may make `burst` requests at once and
 * `perMinute` a minute sustained. Per process: several API processes each allow as much.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly limits: { perMinute: number; burst: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`: 0 when allowed, else the seconds until a token is back. */
  take(key: string): number {
    const now = this.now();
    const rate = this.limits.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.limits.burst, at: now };
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.sweep(now, rate);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
  }

  /** Forgets full buckets: they behave exactly like new ones. */
  private sweep(now: number, rate: number) {
    for (const [key, b] of this.buckets)
      if (b.tokens + (now - b.at) * rate >= this.limits.burst) this.buckets.delete(key);
  }
}
