import { Injectable } from '@nestjs/common';
import type { AppChange } from '../app-changes/app-changes.service.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { FormationsService } from '../formations/formations.service.js';
import { Jobs } from '../jobs/jobs.service.js';
import type { AppWithRelations } from '../store/app.repository.js';
import { FormationRepository } from '../store/formation.repository.js';
import { MaintenanceWindowRepository } from '../store/maintenance-window.repository.js';
import {
  MaintenancePlanColumns,
  MaintenanceRepository,
  MaintenanceSource,
} from '../store/maintenance.repository.js';
import {
  checkScaleDown,
  KeptEntry,
  MaintenancePlan,
  parseSnapshot,
  plannedEnd,
  planRestore,
  SnapshotEntry,
} from './maintenance-plan.js';

export const OVERDUE_TASK = 'maintenance_overdue';

/** What turning maintenance off gave back. */
export interface RestoreReport {
  restored: SnapshotEntry[];
  kept: KeptEntry[];
}

/** A change to the plan of a maintenance that is on; what is left out stays. */
export interface PlanAmendment {
  scaleDown?: string[];
  freeze?: boolean;
  maxDuration?: number | null;
  autoOffWhenOverdue?: boolean;
  /** A window taking over the maintenance that was on when it started; null: it let go. */
  window?: { id: string; endsAt: Date | null } | null;
}

const NO_PLAN_COLUMNS: MaintenancePlanColumns = {
  frozen: false,
  snapshot: null,
  maxDuration: null,
  autoOffWhenOverdue: false,
  endsAt: null,
  windowId: null,
};

/**
 * Maintenance switches that bring a plan, inside a change on the write path (the app's row
 * locked): turning on with a formation snapshot, freeze, max duration or window; amending
 * that plan while maintenance lasts; turning off with the snapshot restored and the window
 * completed. The flag itself always goes through the one-statement switch
 * (MaintenanceRepository.set), which keeps the history and records the event.
 */
@Injectable()
export class MaintenanceSwitcher {
  constructor(
    private readonly maintenance: MaintenanceRepository,
    private readonly windows: MaintenanceWindowRepository,
    private readonly formationRows: FormationRepository,
    private readonly formations: FormationsService,
    private readonly jobs: Jobs,
  ) {}

  /** Turns maintenance on (the app is off, and locked by `change`) with `plan`. */
  async turnOn(
    change: AppChange,
    plan: MaintenancePlan,
    source: MaintenanceSource,
  ): Promise<AppWithRelations> {
    const { tx, app } = change;
    const rows = await this.formationRows.list(tx, app.id);
    const scaleDown = checkScaleDown(
      plan.scaleDown,
      app,
      rows.map((row) => row.type),
    );
    // The instant the switch stamps as changed_at (the transaction's clock, at the column's
    // precision), which amend() and the overdue job count max_duration from too.
    const [{ since }] = await tx.$queryRaw<
      { since: Date }[]
    >`SELECT now()::timestamptz(3) AS since`;
    const endsAt = plannedEnd(plan, since);
    const result = await this.maintenance.set(tx, app.id, {
      enabled: true,
      actorId: change.actorId,
      reason: plan.reason,
      source,
      endsAt,
    });
    if (!result) throw new NotFoundError("Couldn't find that app.");
    const snapshot = rows
      .filter((row) => scaleDown.includes(row.type))
      .map((row) => ({ type: row.type, quantity: row.quantity }));
    const columns: MaintenancePlanColumns = {
      frozen: plan.freeze,
      snapshot: snapshot.length ? snapshot : null,
      maxDuration: plan.maxDuration,
      autoOffWhenOverdue: plan.autoOffWhenOverdue,
      endsAt,
      windowId: plan.windowId,
    };
    await this.writePlan(change, columns, { changedAt: result.changedAt ?? since, scaleDown });
    return {
      ...app,
      maintenance: true,
      maintenanceReason: result.reason,
      maintenanceChangedAt: result.changedAt,
      maintenanceChangedBy: result.changedBy,
      updatedAt: result.appUpdatedAt,
      ...planFields(columns),
      maintenanceOverdueAt: null,
    };
  }

  /** Changes the plan of the maintenance the app is in (locked by `change`). */
  async amend(change: AppChange, amendment: PlanAmendment): Promise<AppWithRelations> {
    const { tx, app } = change;
    const snapshot = parseSnapshot(app.maintenanceSnapshot);
    let scaleDown: string[] = [];
    if (amendment.scaleDown?.length) {
      const rows = await this.formationRows.list(tx, app.id);
      scaleDown = checkScaleDown(
        amendment.scaleDown,
        app,
        rows.map((row) => row.type),
      ).filter((type) => !snapshot.some((entry) => entry.type === type));
      for (const row of rows) {
        if (scaleDown.includes(row.type)) snapshot.push({ type: row.type, quantity: row.quantity });
      }
    }
    const windowId =
      amendment.window === undefined ? app.maintenanceWindowId : (amendment.window?.id ?? null);
    const windowEndsAt =
      amendment.window === undefined
        ? await this.windowEnd(change, app.maintenanceWindowId)
        : (amendment.window?.endsAt ?? null);
    const maxDuration =
      amendment.maxDuration === undefined ? app.maintenanceMaxDuration : amendment.maxDuration;
    const autoOffWhenOverdue = amendment.autoOffWhenOverdue ?? app.maintenanceAutoOffWhenOverdue;
    const since = app.maintenanceChangedAt ?? new Date();
    const columns: MaintenancePlanColumns = {
      frozen: amendment.freeze ?? app.maintenanceFrozen,
      snapshot: snapshot.length ? snapshot : null,
      maxDuration,
      autoOffWhenOverdue,
      windowId,
      endsAt: plannedEnd(
        {
          reason: null,
          scaleDown: [],
          freeze: false,
          maxDuration,
          autoOffWhenOverdue,
          windowId,
          windowEndsAt,
        },
        since,
      ),
    };
    const unchanged =
      !scaleDown.length &&
      columns.frozen === app.maintenanceFrozen &&
      columns.maxDuration === app.maintenanceMaxDuration &&
      columns.autoOffWhenOverdue === app.maintenanceAutoOffWhenOverdue &&
      columns.windowId === app.maintenanceWindowId &&
      columns.endsAt?.getTime() === app.maintenanceEndsAt?.getTime();
    if (unchanged) return app;
    await this.writePlan(change, columns, { changedAt: since, scaleDown });
    return { ...app, ...planFields(columns) };
  }

  /**
   * Turns maintenance off (the app is on, and locked by `change`): restores the snapshot,
   * ends its window as `windowEnd` (completed, or cancelled by a cancel), then switches.
   */
  async turnOff(
    change: AppChange,
    source: MaintenanceSource,
    windowEnd: 'completed' | 'cancelled' = 'completed',
  ): Promise<{ app: AppWithRelations; restore: RestoreReport }> {
    const { tx, app } = change;
    const rows = await this.formationRows.list(tx, app.id);
    const plan = planRestore(parseSnapshot(app.maintenanceSnapshot), rows);
    await this.formations.scaleWithin(change, plan.restore);
    if (app.maintenanceWindowId) await this.endWindow(change, app.maintenanceWindowId, windowEnd);
    // What the switch would otherwise defer to this path is done: the switch can go ahead.
    await this.maintenance.writePlan(tx, app.id, NO_PLAN_COLUMNS);
    const result = await this.maintenance.set(tx, app.id, {
      enabled: false,
      actorId: change.actorId,
      reason: null,
      source,
    });
    if (!result) throw new NotFoundError("Couldn't find that app.");
    return {
      app: {
        ...app,
        maintenance: false,
        maintenanceReason: result.reason,
        maintenanceChangedAt: result.changedAt,
        maintenanceChangedBy: result.changedBy,
        updatedAt: result.appUpdatedAt,
        ...planFields(NO_PLAN_COLUMNS),
        maintenanceOverdueAt: null,
      },
      restore: { restored: plan.restore, kept: plan.kept },
    };
  }

  /** Sets the app's scheduler policy; true when it changed. */
  async setJobsPolicy(change: AppChange, jobs: 'run' | 'pause'): Promise<boolean> {
    if (change.app.maintenanceJobs === jobs) return false;
    await this.maintenance.setJobsPolicy(change.tx, change.app.id, jobs);
    change.app = { ...change.app, maintenanceJobs: jobs };
    return true;
  }

  /** Records maintenance.update with the plan and policy as they now are. */
  async recordUpdate(change: AppChange, app: AppWithRelations): Promise<void> {
    await change.record('maintenance.update', {
      freeze: app.maintenanceFrozen,
      jobs: app.maintenanceJobs,
      max_duration: app.maintenanceMaxDuration,
      auto_off_when_overdue: app.maintenanceAutoOffWhenOverdue,
      scale_down: parseSnapshot(app.maintenanceSnapshot).map((entry) => entry.type),
      ends_at: app.maintenanceEndsAt?.toISOString() ?? null,
      window_id: app.maintenanceWindowId,
    });
  }

  /** Marks the app's window ended (if it still is active), with its window.state event. */
  private async endWindow(
    change: AppChange,
    windowId: string,
    state: 'completed' | 'cancelled',
  ): Promise<void> {
    const window = await this.windows.find(change.tx, change.app.id, windowId, true);
    if (window?.state !== 'active') return;
    await this.windows.setState(change.tx, windowId, state);
    await change.record('window.state', { window_id: windowId, from: 'active', to: state });
  }

  private async windowEnd(change: AppChange, windowId: string | null): Promise<Date | null> {
    if (!windowId) return null;
    const window = await this.windows.find(change.tx, change.app.id, windowId);
    return window?.autoOff ? window.endsAt : null;
  }

  /**
   * Writes the plan, scales `scaleDown` to 0, schedules the overdue check, and records the
   * plan as a maintenance.update when there is one beyond the flag.
   */
  private async writePlan(
    change: AppChange,
    columns: MaintenancePlanColumns,
    { changedAt, scaleDown }: { changedAt: Date; scaleDown: string[] },
  ): Promise<void> {
    const { tx, app } = change;
    await this.maintenance.writePlan(tx, app.id, columns);
    await this.formations.scaleWithin(
      change,
      scaleDown.map((type) => ({ type, quantity: 0 })),
    );
    if (columns.maxDuration !== null && app.maintenanceOverdueAt === null) {
      await this.jobs.addJobIn(
        tx,
        OVERDUE_TASK,
        { app_id: app.id },
        {
          runAt: new Date(changedAt.getTime() + columns.maxDuration * 1000),
          jobKey: `${OVERDUE_TASK}:${app.id}`,
        },
      );
    }
    const planned =
      columns.frozen ||
      columns.snapshot !== null ||
      columns.maxDuration !== null ||
      columns.windowId !== null;
    if (planned || app.maintenance) {
      await this.recordUpdate(change, { ...app, ...planFields(columns) });
    }
  }
}

function planFields(columns: MaintenancePlanColumns) {
  return {
    maintenanceFrozen: columns.frozen,
    maintenanceSnapshot: columns.snapshot,
    maintenanceMaxDuration: columns.maxDuration,
    maintenanceAutoOffWhenOverdue: columns.autoOffWhenOverdue,
    maintenanceEndsAt: columns.endsAt,
    maintenanceWindowId: columns.windowId,
  };
}
