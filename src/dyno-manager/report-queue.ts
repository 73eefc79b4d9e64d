import { Pause } from '../common/http-client/pause.js';
import { Backoff } from '../common/http-client/backoff.js';
import type { DynoReport, ReportOutcome } from './control-plane-api.js';

export interface QueuedReport {
  appId: string;
  dynoId: string;
  /** For log lines. */
  dynoName: string;
  report: DynoReport;
}

export interface ReportQueueOptions {
  /** Sends one report; throws when it is worth sending again later. */
  send: (report: QueuedReport) => Promise<ReportOutcome>;
  /** Told of every report that is done with (sent, refused or superseded never). */
  onOutcome: (report: QueuedReport, outcome: ReportOutcome) => void;
  onRetry: (failed: number, error: unknown, retryInMs: number) => void;
  /** Told of a report dropped because the queue was full. */
  onDropped: (report: QueuedReport) => void;
  backoff?: Backoff;
  /** Dynos with a report waiting; the oldest is dropped beyond it. */
  limit?: number;
  concurrency?: number;
}

/**
 * The state reports on their way to the control plane. Only the latest report of each
 * dyno matters, so a newer one replaces one still waiting, and while the control plane is
 * unreachable reports wait (bounded) and go out, oldest first, once it is back. Reports of
 * one dyno are never in flight together, so they arrive in the order they were made.
 */
export class ReportQueue {
  private readonly waiting = new Map<string, QueuedReport>();
  private readonly inFlight = new Set<string>();
  private readonly backoff: Backoff;
  private readonly limit: number;
  private readonly concurrency: number;
  private running?: Promise<void>;
  private readonly pause = new Pause();
  private stopped = false;
  private drained: Array<() => void> = [];

  constructor(private readonly options: ReportQueueOptions) {
    this.backoff = options.backoff ?? new Backoff();
    this.limit = options.limit ?? 10_000;
    this.concurrency = options.concurrency ?? 8;
  }

  get size(): number {
    return this.waiting.size + this.inFlight.size;
  }

  put(report: QueuedReport): void {
    this.waiting.delete(report.dynoId);
    this.waiting.set(report.dynoId, report);
    if (this.waiting.size > this.limit) {
      const oldest = this.waiting.keys().next().value as string;
      const dropped = this.waiting.get(oldest)!;
      this.waiting.delete(oldest);
      this.options.onDropped(dropped);
    }
    if (!this.stopped) this.running ??= this.run();
  }

  /** Resolves once nothing waits or is in flight, or after `timeoutMs` (false then). */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drained = this.drained.filter((waiter) => waiter !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.drained.push(done);
    });
  }

  /** Stops sending; what waits is kept (and lost with the process). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pause.interrupt();
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped && this.waiting.size > 0) {
        const batch: QueuedReport[] = [];
        for (const [dynoId, report] of this.waiting) {
          if (batch.length >= this.concurrency) break;
          if (this.inFlight.has(dynoId)) continue;
          batch.push(report);
        }
        let failures = 0;
        let lastError: unknown;
        await Promise.all(
          batch.map(async (report) => {
            this.waiting.delete(report.dynoId);
            this.inFlight.add(report.dynoId);
            try {
              const outcome = await this.options.send(report);
              this.options.onOutcome(report, outcome);
            } catch (error) {
              failures++;
              lastError = error;
              // Sent again unless a newer report of the dyno came meanwhile.
              if (!this.waiting.has(report.dynoId)) this.putBack(report);
            } finally {
              this.inFlight.delete(report.dynoId);
            }
          }),
        );
        if (failures > 0) {
          const delay = this.backoff.next();
          this.options.onRetry(failures, lastError, delay);
          await this.pause.for(delay);
        } else {
          this.backoff.reset();
        }
      }
    } finally {
      this.running = undefined;
      if (this.size === 0) for (const done of this.drained.splice(0)) done();
    }
  }

  /** Back at the front: it is older than anything that waits. */
  private putBack(report: QueuedReport): void {
    const rest = [...this.waiting.values()];
    this.waiting.clear();
    this.waiting.set(report.dynoId, report);
    for (const other of rest) this.waiting.set(other.dynoId, other);
  }
}
