import type { Logger } from 'pino';

const TOP_CLIENTS = 5;
/** Distinct clients counted per window; beyond it requests count in the totals only. */
const MAX_CLIENTS = 10_000;

/**
 * Requests refused with 401 or 429, as one log line per interval (counts and the clients
 * refused most) instead of one line each: someone guessing tokens or over their budget
 * would otherwise write the log as fast as they can send. Nothing of the request but its
 * client address is kept, so no token ever reaches it.
 */
export class RefusalSummary {
  private unauthorized = 0;
  private rateLimited = 0;
  private readonly clients = new Map<string, number>();
  private since = new Date();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    intervalMs = 60_000,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  count(status: 401 | 429, client: string): void {
    if (status === 401) this.unauthorized++;
    else this.rateLimited++;
    const seen = this.clients.get(client);
    if (seen !== undefined) this.clients.set(client, seen + 1);
    else if (this.clients.size < MAX_CLIENTS) this.clients.set(client, 1);
  }

  /** Logs what was refused since the last line, if anything, and starts a new window. */
  flush(): void {
    if (this.unauthorized + this.rateLimited > 0) {
      const top = [...this.clients]
        .sort(([, a], [, b]) => b - a)
        .slice(0, TOP_CLIENTS)
        .map(([address, refused]) => ({ address, refused }));
      this.logger.info(
        {
          since: this.since.toISOString(),
          unauthorized: this.unauthorized,
          rate_limited: this.rateLimited,
          clients: this.clients.size,
          top_clients: top,
        },
        'refused requests',
      );
    }
    this.unauthorized = 0;
    this.rateLimited = 0;
    this.clients.clear();
    this.since = new Date();
  }

  /** Stops the timer and logs the last window. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
