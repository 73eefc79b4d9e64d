import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DATABASE_URL } from '../database/database.tokens.js';
import { NotificationListener } from '../database/notification-listener.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { ChangeEvent, EventRow, toChangeEvent } from './change-event.js';
import { EVENTS_AFTER_SQL, EventRepository } from './event.repository.js';
import { EVENTS_CHANNEL } from './event-log.js';

/**
 * Keeps an in-memory view in step with the change log. `load` builds it from scratch
 * inside the REPEATABLE READ transaction that also reads the log's head, so the view
 * starts exactly at that version. `apply` advances it with events in version order; what
 * it re-reads from the database is at least as new as those events, and later events
 * follow, so the view converges on the current state. When an apply fails the same events
 * are applied again later (to every applier), so applying twice must be harmless.
 */
export interface ChangeApplier {
  load(tx: PrismaTransaction): Promise<void>;
  apply(events: ChangeEvent[]): Promise<void>;
}

export type ChangeListener = (events: ChangeEvent[]) => void;

const BATCH = 1000;
/**
 * Backoff of reconnects and of retries after a failed sync. Short at its longest: while the
 * feed is behind, this replica's routers see a stale view, so it catches up within two
 * seconds of the database's return.
 */
const BACKOFF_MS = { first: 250, max: 2000 };
export const FEED_APPLICATION_NAME = 'drydock change feed';

/**
 * The change stream inside one replica. A dedicated connection LISTENs for the NOTIFY
 * that every event's transaction sends at commit (from any replica); each wake-up reads
 * the new events in order, lets the appliers update their views, then tells listeners.
 * Nothing polls: between changes the feed is idle. Events that could not be read or
 * applied are tried again with backoff, without waiting for another change's NOTIFY;
 * the version advances, and listeners hear of events, only once they applied.
 */
@Injectable()
export class ChangeFeed implements OnModuleDestroy {
  private readonly logger = new Logger(ChangeFeed.name);
  private readonly appliers: ChangeApplier[] = [];
  private readonly listeners = new Set<ChangeListener>();
  private readonly listener: NotificationListener;
  private started?: Promise<void>;
  private stopped = false;
  private syncing?: Promise<void>;
  private syncAgain = false;
  private retryDelay = BACKOFF_MS.first;
  private retryTimer?: NodeJS.Timeout;
  /** The newest version every applier has seen. */
  version = 0;

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventRepository,
    @Inject(DATABASE_URL) databaseUrl: string,
  ) {
    // A failed sync logs and schedules its own retry; a reconnect catches up on what it missed.
    this.listener = new NotificationListener({
      databaseUrl,
      applicationName: FEED_APPLICATION_NAME,
      channel: EVENTS_CHANNEL,
      backoffMs: BACKOFF_MS,
      onNotification: () => void this.sync().catch(() => undefined),
      onReconnect: () => void this.sync().catch(() => undefined),
    });
  }

  register(applier: ChangeApplier): void {
    this.appliers.push(applier);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts once: listen first, then load, so no change falls between the two. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.listener.start();
      await this.prisma.$transaction(
        async (tx) => {
          const head = await this.events.head(tx);
          for (const applier of this.appliers) await applier.load(tx);
          this.version = head;
        },
        { isolationLevel: 'RepeatableRead', timeout: 120_000 },
      );
      await this.sync();
    })();
    return this.started;
  }

  /** Resolves once the feed has applied every event committed before the call. */
  async caughtUp(): Promise<void> {
    await this.start();
    await this.sync();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.syncing?.catch(() => undefined);
    await this.listener.stop();
  }

  /** Reads and applies every event after `version`; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          let events: ChangeEvent[];
          do {
            events = await this.readBatch();
            if (events.length) {
              this.version = events[events.length - 1].version;
              for (const listener of this.listeners) listener(events);
            }
          } while (events.length === BATCH);
        } while (this.syncAgain && !this.stopped);
        this.retryDelay = BACKOFF_MS.first;
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
      } catch (error) {
        this.retryLater(error);
        throw error;
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /** A NOTIFY may never come again (the change was the last one): retry on a timer instead. */
  private retryLater(error: unknown): void {
    if (this.stopped || this.retryTimer) return;
    this.logger.warn(
      `change feed could not read or apply the events after version ${this.version}: ${error}; retrying in ${this.retryDelay} ms`,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.sync().catch(() => undefined);
    }, this.retryDelay);
    // A feed that failed to start must not keep the process alive.
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, BACKOFF_MS.max);
  }

  /**
   * The next events after `version`. Every replica runs this for every change, so while the
   * feed's own connection is up it reads there with a bare query: through Prisma the same
   * read costs about half a millisecond of CPU more, which at hundreds of changes a second
   * showed as watchers' tail latency. While that connection is being re-opened, Prisma.
   */
  private async readBatch(): Promise<ChangeEvent[]> {
    const client = this.listener.client;
    const events = client
      ? (await client.query<EventRow>(EVENTS_AFTER_SQL, [String(this.version), BATCH])).rows.map(
          toChangeEvent,
        )
      : await this.events.after(this.version, BATCH);
    if (events.length) for (const applier of this.appliers) await applier.apply(events);
    return events;
  }
}
