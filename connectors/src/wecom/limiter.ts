/**
 * Sliding-window limits kept in this process's memory ("at most 30 per minute and 1000 per hour
 * for each member"). Several worker processes each keep their own count: give each a share of the
 * provider's limit in the connector's settings when more than one worker sends.
 */

export interface LimitWindow {
  limit: number;
  windowMs: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly longest: number;

  constructor(
    private readonly windows: readonly LimitWindow[],
    private readonly now: () => number = Date.now,
  ) {
    this.longest = Math.max(0, ...windows.map((w) => w.windowMs));
  }

  /** Takes a slot for `key` now, or says how long until one frees. */
  tryTake(key: string): TakeResult {
    const now = this.now();
    const kept = (this.hits.get(key) ?? []).filter((at) => at > now - this.longest);
    let wait = 0;
    for (const { limit, windowMs } of this.windows) {
      const inWindow = kept.filter((at) => at > now - windowMs);
      if (inWindow.length >= limit) {
        // The slot frees when the hit that makes the window full ages out of it.
        const blocking = inWindow[inWindow.length - limit]!;
        wait = Math.max(wait, blocking + windowMs - now);
      }
    }
    if (wait > 0) {
      this.hits.set(key, kept);
      return { ok: false, retryAfterMs: wait };
    }
    kept.push(now);
    this.hits.set(key, kept);
    return { ok: true };
  }
}

const shared = new Map<string, SlidingWindowLimiter>();
const byClock = new WeakMap<() => number, Map<string, SlidingWindowLimiter>>();

/**
 * The limiter for `scope` (e.g. one app, one robot), shared by all connector instances of the process,
 * since the provider counts per app or robot, not per instance. An injected clock (tests) gets limiters
 * of its own.
 */
export function sharedLimiter(
  scope: string,
  windows: readonly LimitWindow[],
  now?: () => number,
): SlidingWindowLimiter {
  let limiters = shared;
  if (now) {
    limiters = byClock.get(now) ?? new Map();
    byClock.set(now, limiters);
  }
  const key = `${scope}\n${JSON.stringify(windows)}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new SlidingWindowLimiter(windows, now);
    limiters.set(key, limiter);
  }
  return limiter;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
