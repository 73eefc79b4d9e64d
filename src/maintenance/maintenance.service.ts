import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChange, AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { AppWithRelations } from '../store/app.repository.js';
import { MaintenanceRepository } from '../store/maintenance.repository.js';
import {
  MaintenanceChangeDto,
  MaintenanceResponseDto,
  MaintenanceUpdateDto,
  toMaintenanceChange,
  toMaintenanceResponse,
} from './maintenance.dto.js';
import { NO_PLAN } from './maintenance-plan.js';
import { MaintenanceSwitcher, RestoreReport } from './maintenance-switcher.service.js';

export const MAINTENANCE_HISTORY_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'version', column: 'version', type: 'integer' },
];

/**
 * Maintenance mode: routers answer the app's visitors with the maintenance page while its
 * dynos, scheduler jobs and one-off dynos keep running. A plain switch touches nothing but
 * the mode (with why and by whom), keeps it in the app's history and records who changed
 * it from what to what; setting the mode the app already has records nothing. A switch
 * may bring a plan (scale_down, freeze, max_duration), which takes the write path
 * (MaintenanceSwitcher), as does turning off what has a snapshot to restore.
 */
@Injectable()
export class MaintenanceService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccess,
    private readonly maintenance: MaintenanceRepository,
    private readonly changes: AppChanges,
    private readonly switcher: MaintenanceSwitcher,
  ) {}

  async get(principal: Principal, idOrName: string): Promise<MaintenanceResponseDto> {
    const app = await this.access.find(principal, idOrName);
    return toMaintenanceResponse(app, await this.maintenance.actorEmail(app.maintenanceChangedBy));
  }

  async update(
    principal: Principal,
    idOrName: string,
    input: MaintenanceUpdateDto,
  ): Promise<MaintenanceResponseDto> {
    const { enabled, reason, jobs, ...plan } = input;
    if (enabled === undefined && jobs === undefined && isEmpty(plan)) {
      throw new InvalidParamsError(
        'Send what to change: enabled, and with it reason, scale_down, freeze, max_duration or auto_off_when_overdue; or jobs.',
      );
    }
    const plain = enabled !== undefined && jobs === undefined && isEmpty(plan);
    if (plain) {
      const found = await this.access.find(principal, idOrName);
      const app = await this.switchApp(found, principal.accountId, { enabled, reason });
      // Null: deferred, the maintenance has a snapshot or window to end first.
      if (app) return this.answer(principal, app);
    }
    const { app, restore } = await this.changes.apply(principal, idOrName, async (change) => {
      // The policy first, so that a plan's maintenance.update already carries it.
      const policyChanged = jobs !== undefined && (await this.switcher.setJobsPolicy(change, jobs));
      if (policyChanged) change.app = { ...change.app, maintenanceJobs: jobs };
      const before = change.app;
      const switched = await this.applyPlan(change, enabled, reason, plan);
      // Routing views apply a switch from its event, which has no policy: announce it,
      // unless the plan's own maintenance.update did.
      const announced =
        switched.app.maintenance &&
        (before.maintenance
          ? switched.app !== before
          : switched.app.maintenanceFrozen ||
            switched.app.maintenanceSnapshot !== null ||
            switched.app.maintenanceMaxDuration !== null);
      if (policyChanged && !announced) await this.switcher.recordUpdate(change, switched.app);
      return switched;
    });
    return this.answer(principal, app, restore);
  }

  async history(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<MaintenanceChangeDto>> {
    const app = await this.access.find(principal, idOrName);
    return toPage(await this.maintenance.history(app.id, range), range, toMaintenanceChange);
  }

  /**
   * Switches an app the caller already found, in one statement (the hottest write: operators
   * flip hundreds of apps at once), and returns the app as it now is. Inside a caller's
   * transaction (`db`) the statement joins it. Null when turning off has to restore a
   * snapshot or end a window first: that takes the write path (`update`).
   */
  async switchApp(
    app: AppWithRelations,
    actorId: string,
    input: { enabled: boolean; reason?: string },
    db: PrismaTransaction = this.prisma,
  ): Promise<AppWithRelations | null> {
    const result = await this.maintenance.set(db, app.id, {
      enabled: input.enabled,
      actorId,
      reason: input.reason ?? null,
      source: 'api',
    });
    // Deleted between the caller's lookup and this statement.
    if (!result) throw new NotFoundError("Couldn't find that app.");
    if (result.deferred) return null;
    const plan = result.changed
      ? {
          maintenanceFrozen: false,
          maintenanceSnapshot: null,
          maintenanceMaxDuration: null,
          maintenanceAutoOffWhenOverdue: false,
          maintenanceOverdueAt: null,
          maintenanceEndsAt: null,
          maintenanceWindowId: null,
        }
      : {};
    return {
      ...app,
      ...plan,
      name: result.appName,
      maintenance: result.changed ? input.enabled : app.maintenance,
      maintenanceReason: result.reason,
      maintenanceChangedAt: result.changedAt,
      maintenanceChangedBy: result.changedBy,
      updatedAt: result.appUpdatedAt,
    };
  }

  /** Turns on with a plan, amends the plan, or turns off with a restore, as `enabled` says. */
  private async applyPlan(
    change: AppChange,
    enabled: boolean | undefined,
    reason: string | undefined,
    plan: Omit<MaintenanceUpdateDto, 'enabled' | 'reason' | 'jobs'>,
  ): Promise<{ app: AppWithRelations; restore?: RestoreReport }> {
    const on = enabled ?? change.app.maintenance;
    if (!on) {
      if (!isEmpty(plan)) {
        const fields = given(plan);
        throw new InvalidParamsError(
          `${fields.join(', ')} ${fields.length === 1 ? 'belongs' : 'belong'} to a maintenance: ` +
            `send "enabled": true with ${fields.length === 1 ? 'it' : 'them'}, ` +
            `or turn maintenance on first (heroku maintenance:on -a ${change.app.name}).`,
        );
      }
      if (change.app.maintenance) return this.switcher.turnOff(change, 'api');
      return { app: change.app };
    }
    if (!change.app.maintenance) {
      const app = await this.switcher.turnOn(
        change,
        {
          ...NO_PLAN,
          reason: reason ?? null,
          scaleDown: plan.scale_down ?? [],
          freeze: plan.freeze ?? false,
          maxDuration: plan.max_duration ?? null,
          autoOffWhenOverdue: plan.auto_off_when_overdue ?? false,
        },
        'api',
      );
      return { app };
    }
    const app = await this.switcher.amend(change, {
      scaleDown: plan.scale_down,
      freeze: plan.freeze,
      maxDuration: plan.max_duration,
      autoOffWhenOverdue: plan.auto_off_when_overdue,
    });
    return { app };
  }

  /**
   * Turns maintenance on or off without a plan (`heroku maintenance:on/off`, PATCH /apps):
   * one statement, or the write path when there is a snapshot to restore.
   */
  async setMode(
    principal: Principal,
    idOrName: string,
    enabled: boolean,
  ): Promise<AppWithRelations> {
    const found = await this.access.find(principal, idOrName);
    const app = await this.switchApp(found, principal.accountId, { enabled });
    return (
      app ??
      this.changes.apply(principal, idOrName, (change) => this.setModeWithin(change, enabled))
    );
  }

  /** Like setMode, inside a change that already holds the app (a rename with a switch). */
  async setModeWithin(change: AppChange, enabled: boolean): Promise<AppWithRelations> {
    const app = await this.switchApp(change.app, change.actorId, { enabled }, change.tx);
    return app ?? (await this.switcher.turnOff(change, 'api')).app;
  }

  private async answer(
    principal: Principal,
    app: AppWithRelations,
    restore?: RestoreReport,
  ): Promise<MaintenanceResponseDto> {
    const email =
      app.maintenanceChangedBy === principal.accountId
        ? principal.email
        : await this.maintenance.actorEmail(app.maintenanceChangedBy);
    return toMaintenanceResponse(app, email, restore);
  }
}

/** The fields of a body that were sent. */
function given(plan: object): string[] {
  return Object.entries(plan).flatMap(([key, value]) => (value === undefined ? [] : [key]));
}

function isEmpty(plan: object): boolean {
  return given(plan).length === 0;
}
