import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Jobs } from '../jobs/jobs.service.js';
import { EventRepository } from './event.repository.js';

export const PRUNE_EVENTS_TASK = 'prune_events';
const PRUNE_BATCH = 5000;

/**
 * Keeps the change log to EVENTS_RETENTION_DAYS (watchers asking for older versions
 * re-list): an hourly job on the shared job engine, so one replica prunes at a time.
 */
@Injectable()
export class EventRetention {
  private readonly logger = new Logger(EventRetention.name);

  constructor(
    jobs: Jobs,
    private readonly events: EventRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    jobs.register(PRUNE_EVENTS_TASK, () => this.prune());
    jobs.schedule({ task: PRUNE_EVENTS_TASK, match: '30 * * * *' });
  }

  /**
   * Deletes events older than the retention; returns how many. In batches, each its own
   * short statement: a backlog of months never meets the statement timeout, and the
   * oldest events come first in version order, so each batch is an index range.
   */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.eventsRetentionDays * 24 * 3600 * 1000);
    let total = 0;
    for (;;) {
      const deleted = await this.events.prune(cutoff, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    if (total) this.logger.log(`pruned ${total} events older than ${cutoff.toISOString()}`);
    return total;
  }
}
