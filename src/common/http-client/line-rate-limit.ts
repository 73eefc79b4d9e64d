/** Lines a key (an app's router, a dyno) had refused, once one of its lines fits again. */
export interface RefusedLines {
  dropped: number;
  sinceMs: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
  dropped: number;
  sinceMs: number;
}

/** Keys kept before idle ones (full and with nothing refused) are forgotten. */
const MAX_KEYS = 10_000;

/**
 * A token bucket per key: `perSecond` lines a second, bursts of a second's worth. An app's
 * log keeps 1,500 lines, so lines beyond a few thousand a second are read by nobody, while
 * storing them costs the API and PostgreSQL CPU that the router serving them needs.
 */
export class LineRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError('perSecond must be positive');
  }

  /**
   * Whether one more line of `key` fits at `nowMs`: false when it does not (it is counted);
   * true, or what was refused since the last line that fitted, when it does.
   */
  admit(key: string, nowMs: number): boolean | RefusedLines {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_KEYS) this.forgetIdle(nowMs);
      bucket = { tokens: this.perSecond, atMs: nowMs, dropped: 0, sinceMs: 0 };
      this.buckets.set(key, bucket);
    } else if (nowMs > bucket.atMs) {
      bucket.tokens = Math.min(
        this.perSecond,
        bucket.tokens + ((nowMs - bucket.atMs) * this.perSecond) / 1000,
      );
      bucket.atMs = nowMs;
    }
    if (bucket.tokens < 1) {
      if (bucket.dropped++ === 0) bucket.sinceMs = nowMs;
      return false;
    }
    bucket.tokens -= 1;
    if (bucket.dropped === 0) return true;
    const refused = { dropped: bucket.dropped, sinceMs: bucket.sinceMs };
    bucket.dropped = 0;
    return refused;
  }

  private forgetIdle(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      const full =
        bucket.tokens + ((nowMs - bucket.atMs) * this.perSecond) / 1000 >= this.perSecond;
      if (full && bucket.dropped === 0) this.buckets.delete(key);
    }
  }
}
