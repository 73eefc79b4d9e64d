/**
 * Exponential backoff with jitter: 250 ms doubling to 10 s by default. Each delay is drawn
 * from the upper half of its step, so clients that lost the control plane together (routers,
 * dyno managers) do not all come back at the same instant, yet none retries sooner than half the step.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly firstMs = 250,
    private readonly maxMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const step = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    if (step < this.maxMs) this.attempt++;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
