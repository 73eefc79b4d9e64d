import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { EventRepository } from './event.repository.js';

const EVERY_HOUR = 60 * 60 * 1000;
/** One replica prunes at a time; the others skip that round. */
const PRUNE_LOCK = 72_736_107;
const PRUNE_BATCH = 5000;

/** Keeps the change log to EVENTS_RETENTION_DAYS; watchers asking for older versions re-list. */
@Injectable()
export class EventRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly events: EventRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.prune().catch((error) => this.logger.warn(`event pruning failed: ${error}`)),
      EVERY_HOUR,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Deletes events older than the retention; returns how many. In batches, each its own
   * short transaction: a backlog of months never meets the statement timeout, and the
   * oldest events come first in version order, so each batch is an index range.
   */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.eventsRetentionDays * 24 * 3600 * 1000);
    let total = 0;
    for (;;) {
      const deleted = await this.events.prune(cutoff, PRUNE_BATCH, PRUNE_LOCK);
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    if (total) this.logger.log(`pruned ${total} events older than ${cutoff.toISOString()}`);
    return total;
  }
}
