import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Jobs } from '../jobs/jobs.service.js';
import { LogRepository } from '../store/log.repository.js';

export const PRUNE_TASK = 'prune_log_lines';
const PRUNE_BATCH = 5000;

/**
 * Keeps no line older than LOG_RETENTION_HOURS (besides the 1,500 per app the append
 * trims to): an hourly job, run by one replica, deleting in batches, each its own short
 * statement, so a backlog never meets the statement timeout.
 */
@Injectable()
export class LogRetention {
  private readonly logger = new Logger(LogRetention.name);

  constructor(
    jobs: Jobs,
    private readonly logs: LogRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    jobs.register(PRUNE_TASK, () => this.prune());
    jobs.schedule({ task: PRUNE_TASK, match: '0 * * * *' });
  }

  /** Deletes the lines older than the retention; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.logRetentionHours * 3600_000);
    let total = 0;
    for (;;) {
      const deleted = await this.logs.pruneOlderThan(cutoff, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    if (total) this.logger.log(`pruned ${total} log lines older than ${cutoff.toISOString()}`);
    return total;
  }
}
