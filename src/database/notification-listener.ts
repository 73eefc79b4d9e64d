import { Logger } from '@nestjs/common';
import pg from 'pg';

export interface NotificationListenerOptions {
  databaseUrl: string;
  /** Shown in pg_stat_activity, so operators can tell the connection apart. */
  applicationName: string;
  channel: string;
  onNotification: (payload: string) => void;
  /** Called after a lost connection is back: whatever was notified meanwhile was missed. */
  onReconnect: () => void;
  /** Reconnect backoff: short at its longest, as listeners fall behind while it waits. */
  backoffMs?: { first: number; max: number };
}

/**
 * One dedicated connection that LISTENs on a channel, re-opened with backoff when it is
 * lost. Nothing polls: between notifications it is idle.
 */
export class NotificationListener {
  private readonly logger: Logger;
  private readonly backoff: { first: number; max: number };
  private delay: number;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** The connection while it is up, for callers that query on it. */
  client?: pg.Client;

  constructor(private readonly options: NotificationListenerOptions) {
    this.logger = new Logger(options.applicationName);
    this.backoff = options.backoffMs ?? { first: 250, max: 2000 };
    this.delay = this.backoff.first;
  }

  /** Connects and listens; rejects when the first connection fails (the caller decides). */
  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: this.options.applicationName,
    });
    client.on('notification', (message) => this.options.onNotification(message.payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN ${this.options.channel}`);
    this.client = client;
    this.delay = this.backoff.first;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    this.logger.warn(`connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.timer = setTimeout(() => {
      this.start().then(
        () => this.options.onReconnect(),
        (failure) => {
          if (this.stopped) return;
          this.logger.warn(`reconnect failed: ${failure}`);
          this.delay = Math.min(this.delay * 2, this.backoff.max);
          this.reconnectLater();
        },
      );
    }, this.delay);
    this.timer.unref();
  }
}
