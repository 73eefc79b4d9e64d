import { Injectable, Logger } from '@nestjs/common';
import { AppChange, AppChanges } from '../app-changes/app-changes.service.js';
import { PrismaService } from '../database/prisma.service.js';
import type { MaintenanceWindow } from '../generated/prisma/client.js';
import { Jobs } from '../jobs/jobs.service.js';
import { NO_PLAN } from '../maintenance/maintenance-plan.js';
import { MaintenanceSwitcher } from '../maintenance/maintenance-switcher.service.js';
import { FormationRepository } from '../store/formation.repository.js';
import { MaintenanceWindowRepository } from '../store/maintenance-window.repository.js';
import { MaintenanceWindowsService } from './maintenance-windows.service.js';
import { WINDOW_END_TASK, WINDOW_START_TASK, WINDOW_SWEEP_TASK } from './window-tasks.js';

const SWEEP_BATCH = 500;
/**
 * Windows one set-based start switches in one transaction: large enough that a thousand
 * planned for one second take a few statements, small enough that the event-order lock
 * (held from a batch's first event to its commit) and the row locks are held briefly.
 */
const START_BATCH = 100;

/**
 * Starts and ends windows on the job engine, exactly once across replicas: each window's
 * start job is added with it, its end job when it starts, and every transition runs under
 * the app's row lock and the window's, from the state it expects, so a second run (the
 * sweep, a retry) finds nothing to do. graphile-worker keeps a job that a dead replica
 * held locked for hours; the sweep each minute does what such a job left undone, and on
 * boot what came due while every replica was down.
 */
@Injectable()
export class MaintenanceWindowTransitions {
  private readonly logger = new Logger(MaintenanceWindowTransitions.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: AppChanges,
    private readonly windows: MaintenanceWindowRepository,
    private readonly formations: FormationRepository,
    private readonly switcher: MaintenanceSwitcher,
    private readonly service: MaintenanceWindowsService,
    private readonly jobs: Jobs,
  ) {
    jobs.register<{ window_id?: unknown }>(WINDOW_START_TASK, async (payload) => {
      // Windows planned for the same second start together, set-based; what that leaves
      // (this window if it brings a plan, or its app was busy) starts on the write path.
      await this.startDue();
      if (typeof payload.window_id === 'string') await this.start(payload.window_id);
    });
    jobs.register<{ window_id?: unknown }>(WINDOW_END_TASK, async (payload) => {
      if (typeof payload.window_id === 'string') await this.end(payload.window_id);
    });
    jobs.register(WINDOW_SWEEP_TASK, () => this.sweep());
    jobs.schedule({ task: WINDOW_SWEEP_TASK, match: '* * * * *' });
  }

  /**
   * At starts_at: maintenance turns on with the window's reason and plan (source window),
   * or, when it is on already, the window takes that maintenance over. A window whose end
   * passed too (every replica was down throughout) is completed without turning anything on.
   */
  async start(windowId: string): Promise<boolean> {
    return this.transition(windowId, 'scheduled', async (change, window, now) => {
      if (window.startsAt > now) return false;
      if (window.endsAt <= now) {
        this.logger.warn(
          `window ${window.id}: its whole span passed before any replica could start it`,
        );
        await this.service.end(change, window, 'completed');
        return true;
      }
      // Types gone since the window was planned are skipped, not fatal to the transition.
      const types = (await this.formations.list(change.tx, change.app.id)).map((row) => row.type);
      const scaleDown = window.scaleDown.filter(
        (type) => types.includes(type) && !(type === 'web' && change.app.space),
      );
      const windowEndsAt = window.autoOff ? window.endsAt : null;
      // Writes first, events last: each event holds the event-order lock until commit.
      await this.windows.setState(change.tx, window.id, 'active');
      await this.jobs.addJobIn(
        change.tx,
        WINDOW_END_TASK,
        { window_id: window.id },
        { runAt: window.endsAt, jobKey: `${WINDOW_END_TASK}:${window.id}` },
      );
      if (!change.app.maintenance) {
        await this.switcher.turnOn(
          change,
          {
            ...NO_PLAN,
            reason: window.reason,
            scaleDown,
            freeze: window.freeze,
            maxDuration: window.maxDuration,
            autoOffWhenOverdue: window.autoOffWhenOverdue,
            windowId: window.id,
            windowEndsAt,
          },
          'window',
        );
      } else {
        await this.switcher.amend(change, {
          scaleDown,
          freeze: window.freeze || change.app.maintenanceFrozen,
          window: { id: window.id, endsAt: windowEndsAt },
        });
      }
      await change.record('window.state', {
        window_id: window.id,
        from: 'scheduled',
        to: 'active',
      });
      return true;
    });
  }

  /**
   * At ends_at: with auto_off the snapshot is restored and maintenance turns off (source
   * window); without, maintenance stays on and only the window completes.
   */
  async end(windowId: string): Promise<boolean> {
    return this.transition(windowId, 'active', async (change, window, now) => {
      if (window.endsAt > now) return false;
      const owns = change.app.maintenance && change.app.maintenanceWindowId === window.id;
      if (owns && window.autoOff) {
        await this.switcher.turnOff(change, 'window');
        return true;
      }
      if (owns) await this.switcher.amend(change, { window: null });
      await this.service.end(change, window, 'completed');
      return true;
    });
  }

  /**
   * Starts the due windows of the plain kind (a reason and an end) a batch at a time, each
   * batch one statement and one transaction, until none is left; returns how many. The
   * batches of concurrent jobs skip each other's windows and apps (SKIP LOCKED).
   */
  async startDue(): Promise<number> {
    let started = 0;
    for (;;) {
      const batch = await this.windows.startDue(this.prisma, START_BATCH, {
        start: WINDOW_START_TASK,
        end: WINDOW_END_TASK,
      });
      started += batch.length;
      if (batch.length < START_BATCH) return started;
    }
  }

  /** Runs `apply` on the window, locked with its app, if it is still in state `from`. */
  private async transition(
    windowId: string,
    from: 'scheduled' | 'active',
    apply: (change: AppChange, window: MaintenanceWindow, now: Date) => Promise<boolean>,
  ): Promise<boolean> {
    const window = await this.windows.byId(windowId);
    if (window?.state !== from) return false;
    const done = await this.changes.applyAs(
      window.appId,
      (app) => window.createdBy ?? app.ownerId,
      async (change) => {
        const locked = await this.windows.find(change.tx, change.app.id, windowId, true);
        if (locked?.state !== from) return false;
        // The database's clock, which the job engine ran the job by.
        const [{ now }] = await change.tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
        return apply(change, locked, now);
      },
    );
    return done ?? false;
  }

  private async sweep(): Promise<void> {
    for (const { id, state } of await this.windows.due(this.prisma, SWEEP_BATCH)) {
      const moved = state === 'scheduled' ? await this.start(id) : await this.end(id);
      if (moved)
        this.logger.warn(
          `window ${id}: ${state === 'scheduled' ? 'start' : 'end'} caught up by the sweep`,
        );
    }
  }
}
