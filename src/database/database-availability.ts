import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DatabaseUnavailableError } from '../common/errors/database-unavailable.js';

const PROBE_EVERY_MS = 500;

/**
 * Whether the database answers, as this replica last saw it. The first connection-level
 * failure marks it unavailable: from then on the pool refuses at once (503 with
 * Retry-After) instead of letting every request wait for its own timeout, and a probe
 * asks twice a second until the database answers again.
 *
 * Probes and readiness checks run on a connection of their own, not the pool's: a pool
 * busy with slow requests is not a database that is down.
 */
export class DatabaseAvailability {
  private readonly logger = new Logger('Database');
  private unavailableSince: number | undefined;
  private probeTimer?: NodeJS.Timeout;
  private closed = false;
  private client?: Promise<pg.Client>;
  /** Questions in flight, by SQL: concurrent askers share one round trip. */
  private readonly inFlight = new Map<string, Promise<unknown[]>>();

  constructor(
    private readonly url: string,
    private readonly connectTimeoutMs: number,
  ) {}

  get available(): boolean {
    return this.unavailableSince === undefined;
  }

  /** A connection failed or a query got no answer in time. */
  markUnavailable(reason: string): void {
    if (this.closed || this.unavailableSince !== undefined) return;
    this.unavailableSince = Date.now();
    this.logger.warn(`database unavailable (${reason}); answering 503 until it is back`);
    this.scheduleProbe();
  }

  /**
   * Runs `sql` on the probe connection and answers its rows within `timeoutMs`, or throws
   * DatabaseUnavailableError (a timeout also marks the database unavailable).
   */
  ask<T>(sql: string, timeoutMs: number): Promise<T[]> {
    let asked = this.inFlight.get(sql);
    if (!asked) {
      asked = this.query(sql, timeoutMs).finally(() => this.inFlight.delete(sql));
      this.inFlight.set(sql, asked);
    }
    return asked as Promise<T[]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    await this.dropConnection();
  }

  private async query(sql: string, timeoutMs: number): Promise<unknown[]> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DatabaseUnavailableError(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const ask = async () => {
      const client = await this.connection().catch((error: unknown) => {
        void this.dropConnection();
        this.markUnavailable((error as Error).message);
        throw new DatabaseUnavailableError('no connection');
      });
      return (await client.query(sql)).rows as unknown[];
    };
    try {
      return await Promise.race([ask(), timedOut]);
    } catch (error) {
      // The server answered the query (a missing table, say): the database is there.
      if (typeof (error as { severity?: unknown }).severity === 'string') throw error;
      void this.dropConnection();
      this.markUnavailable((error as Error).message);
      throw error instanceof DatabaseUnavailableError
        ? error
        : new DatabaseUnavailableError('the connection broke');
    } finally {
      clearTimeout(timer);
    }
  }

  private connection(): Promise<pg.Client> {
    this.client ??= (async () => {
      const client = new pg.Client({
        connectionString: this.url,
        connectionTimeoutMillis: this.connectTimeoutMs,
        application_name: 'drydock availability probe',
      });
      client.on('error', () => void this.dropConnection());
      await client.connect();
      return client;
    })();
    return this.client;
  }

  private async dropConnection(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // end() on a silent server destroys the socket instead of waiting for it.
    await client?.then((c) => c.end()).catch(() => undefined);
  }

  private scheduleProbe(): void {
    this.probeTimer = setTimeout(() => void this.probe(), PROBE_EVERY_MS);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.closed) return;
    try {
      await this.query('SELECT 1', this.connectTimeoutMs);
      const seconds = ((Date.now() - (this.unavailableSince ?? Date.now())) / 1000).toFixed(1);
      this.unavailableSince = undefined;
      this.logger.log(`database available again after ${seconds} s`);
    } catch {
      this.scheduleProbe();
    }
  }
}
