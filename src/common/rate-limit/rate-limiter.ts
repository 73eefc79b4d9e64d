/** What one key has left: `tokens` requests as of `at` (ms). */
export interface Budget {
  tokens: number;
  at: number;
}

/**
 * Token buckets: each key may make `capacity` requests, refilled continuously over
 * `periodMs` (Heroku's Platform API: 4,500 an hour). A full budget is the same as none, so
 * keys are forgotten once full again when the map needs room: it holds at most `maxKeys`.
 */
export class RateLimiter {
  private readonly budgets = new Map<string, Budget>();
  /** Requests refilled per millisecond. */
  private readonly refill: number;

  constructor(
    readonly capacity: number,
    periodMs: number,
    private readonly maxKeys = 100_000,
  ) {
    this.refill = capacity / periodMs;
  }

  get size(): number {
    return this.budgets.size;
  }

  /** The budget of `key`, full when it has none yet. */
  budget(key: string, now: number): Budget {
    let budget = this.budgets.get(key);
    if (!budget) {
      if (this.budgets.size >= this.maxKeys) this.makeRoom(now);
      budget = { tokens: this.capacity, at: now };
      this.budgets.set(key, budget);
    }
    return budget;
  }

  /** Takes one request: how many remain after it, or -1 when the budget is spent (nothing taken). */
  take(budget: Budget, now: number): number {
    const tokens = this.tokensAt(budget, now);
    if (tokens < 1) return -1;
    budget.tokens = tokens - 1;
    budget.at = now;
    return Math.floor(budget.tokens);
  }

  /** Whether `key` is out of requests; a key never charged is not. Creates nothing. */
  spent(key: string, now: number): boolean {
    const budget = this.budgets.get(key);
    return budget !== undefined && this.tokensAt(budget, now) < 1;
  }

  /** Whole seconds until the budget has a request again (at least 1). */
  retryAfterSeconds(budget: Budget, now: number): number {
    const missing = 1 - this.tokensAt(budget, now);
    return Math.max(1, Math.ceil(missing / this.refill / 1000));
  }

  private tokensAt(budget: Budget, now: number): number {
    // A clock that steps back refills nothing rather than taking requests away.
    const elapsed = now > budget.at ? now - budget.at : 0;
    return Math.min(this.capacity, budget.tokens + elapsed * this.refill);
  }

  /** Drops full budgets; if that frees less than a tenth, the oldest keys too, so this stays rare. */
  private makeRoom(now: number): void {
    for (const [key, budget] of this.budgets) {
      if (this.tokensAt(budget, now) >= this.capacity) this.budgets.delete(key);
    }
    const target = Math.floor(this.maxKeys * 0.9);
    for (const key of this.budgets.keys()) {
      if (this.budgets.size <= target) break;
      this.budgets.delete(key);
    }
  }
}
