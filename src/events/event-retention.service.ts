import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService } from '../database/prisma.service.js';

const EVERY_HOUR = 60 * 60 * 1000;
/** One replica prunes at a time; the others skip that round. */
const PRUNE_LOCK = 72_736_107;

/** Keeps the change log to EVENTS_RETENTION_DAYS; watchers asking for older versions re-list. */
@Injectable()
export class EventRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
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

  /** Deletes events older than the retention; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.eventsRetentionDays * 24 * 3600 * 1000);
    return this.prisma.$transaction(async (tx) => {
      const [{ locked }] = await tx.$queryRaw<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK}) AS locked`;
      if (!locked) return 0;
      const { count } = await tx.event.deleteMany({ where: { createdAt: { lt: cutoff } } });
      if (count) this.logger.log(`pruned ${count} events older than ${cutoff.toISOString()}`);
      return count;
    });
  }
}
