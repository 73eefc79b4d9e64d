import { Injectable, Logger } from '@nestjs/common';
import { AppChanges } from '../app-changes/app-changes.service.js';
import { PrismaService } from '../database/prisma.service.js';
import { Jobs } from '../jobs/jobs.service.js';
import { MaintenanceRepository } from '../store/maintenance.repository.js';
import { MaintenanceSwitcher, OVERDUE_TASK } from './maintenance-switcher.service.js';

const SWEEP_TASK = 'sweep_overdue_maintenance';
const SWEEP_BATCH = 500;

/**
 * Maintenance that outlasts its max_duration: a job at the moment it becomes overdue (added
 * with the plan, in its transaction) records maintenance.overdue once, and with
 * auto_off_when_overdue turns maintenance off and restores the snapshot. A sweep each
 * minute catches up what a replica that died holding the job left undone.
 */
@Injectable()
export class MaintenanceOverdue {
  private readonly logger = new Logger(MaintenanceOverdue.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: AppChanges,
    private readonly maintenance: MaintenanceRepository,
    private readonly switcher: MaintenanceSwitcher,
    private readonly jobs: Jobs,
  ) {
    jobs.register<{ app_id?: unknown }>(OVERDUE_TASK, async (payload) => {
      if (typeof payload.app_id === 'string') await this.check(payload.app_id);
    });
    jobs.register(SWEEP_TASK, () => this.sweep());
    jobs.schedule({ task: SWEEP_TASK, match: '* * * * *' });
  }

  /** Records the app's overdue alert if it is due and not yet recorded; true if it did. */
  async check(appId: string): Promise<boolean> {
    const done = await this.changes.applyAs(
      appId,
      (app) => app.maintenanceChangedBy ?? app.ownerId,
      async (change) => {
        const { app } = change;
        const since = app.maintenanceChangedAt;
        const max = app.maintenanceMaxDuration;
        if (!app.maintenance || app.maintenanceOverdueAt || !since || max === null) return false;
        // Checked against the database's clock, which dated the switch.
        const dueAt = new Date(since.getTime() + max * 1000);
        const [{ due }] = await change.tx.$queryRaw<{ due: boolean }[]>`
          SELECT ${dueAt}::timestamptz <= now() AS due`;
        if (!due) {
          // Early (a replica's clock ahead of the database's): look again when it is due.
          await this.jobs.addJobIn(
            change.tx,
            OVERDUE_TASK,
            { app_id: app.id },
            {
              runAt: dueAt,
              jobKey: `${OVERDUE_TASK}:${app.id}`,
            },
          );
          return false;
        }
        const autoOff = app.maintenanceAutoOffWhenOverdue;
        const version = await change.record('maintenance.overdue', {
          since: since.toISOString(),
          max_duration: max,
          auto_off: autoOff,
        });
        await this.maintenance.recordOverdue(change.tx, app.id, {
          reason: `on since ${since.toISOString()}, longer than its max_duration of ${max} s`,
          actorId: change.actorId,
          version,
        });
        if (autoOff) await this.switcher.turnOff(change, 'overdue');
        return true;
      },
    );
    return done ?? false;
  }

  private async sweep(): Promise<void> {
    for (const appId of await this.maintenance.overdue(this.prisma, SWEEP_BATCH)) {
      if (await this.check(appId))
        this.logger.warn(`app ${appId}: overdue alert caught up by the sweep`);
    }
  }
}
