/** Heroku's longest wait before restarting a dyno that keeps crashing. */
export const MAX_CRASH_COOLDOWN_MS = 20 * 60_000;
/** A process that ran this long before crashing counts as a first crash again. */
export const STABLE_AFTER_MS = 10 * 60_000;

/**
 * When a crashed formation dyno starts again, as Heroku's do: at once after its first
 * crash, then after a cooldown that doubles from `baseMs` with every further crash, up to
 * 20 minutes; a dyno that stayed up for a while before crashing starts over.
 */
export class CrashCooldown {
  private crashes = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs = MAX_CRASH_COOLDOWN_MS,
    private readonly stableAfterMs = STABLE_AFTER_MS,
  ) {}

  /** The delay before the next start, after a crash of a process that ran for `ranMs`. */
  next(ranMs: number): number {
    if (ranMs >= this.stableAfterMs) this.crashes = 0;
    this.crashes++;
    if (this.crashes === 1) return 0;
    return Math.min(this.maxMs, this.baseMs * 2 ** (this.crashes - 2));
  }

  /** Crashes in a row so far (the current streak). */
  get streak(): number {
    return this.crashes;
  }
}
