import type { Logger } from 'pino';
import { describeError } from '../common/http-client/describe-error.js';
import type { ControlPlaneApi } from './control-plane-api.js';

export const HEARTBEAT_INTERVAL_MS = 15_000;

/**
 * Tells the control plane every 15 s that this manager is alive, and where `heroku run`
 * attaches to it. A failure is logged once, and its recovery once, not every beat.
 */
export class Heartbeat {
  private timer?: NodeJS.Timeout;
  private failing = false;
  private beating?: Promise<void>;

  constructor(
    private readonly api: Pick<ControlPlaneApi, 'heartbeat'>,
    private readonly name: string,
    /** The rendezvous's host:port, or null while it takes no attachments. */
    private readonly rendezvous: () => string | null,
    private readonly log: Logger,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
  }

  /** Beats now, out of turn (the rendezvous address changed), once started. */
  now(): void {
    if (this.timer) void this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
  }

  private beat(): Promise<void> {
    // A beat still waiting for its answer is enough.
    this.beating ??= (async () => {
      try {
        await this.api.heartbeat(this.name, this.rendezvous());
        if (this.failing) this.log.info({ manager: this.name }, 'heartbeat accepted again');
        this.failing = false;
      } catch (error) {
        if (!this.failing)
          this.log.error({ manager: this.name, error: describeError(error) }, 'heartbeat failed');
        this.failing = true;
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }
}
