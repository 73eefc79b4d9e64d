import { Injectable } from '@nestjs/common';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import { AccountRepository } from './account.repository.js';
import { SET_MAINTENANCE_SQL } from './app.sql.js';

/**
 * How a switch happened: `api` (a person or a token), `window` (a scheduled window starting
 * or ending) or `overdue` (auto-off when it lasted longer than its max duration).
 */
export type MaintenanceSource = 'api' | 'window' | 'overdue';

/** What the current maintenance brings besides the flag, as the apps row keeps it. */
export interface MaintenancePlanColumns {
  frozen: boolean;
  snapshot: { type: string; quantity: number }[] | null;
  maxDuration: number | null;
  autoOffWhenOverdue: boolean;
  endsAt: Date | null;
  windowId: string | null;
}

export interface MaintenanceSwitch {
  appName: string;
  appUpdatedAt: Date;
  /** False when the app already had that value, or the switch was deferred: nothing was written. */
  changed: boolean;
  /**
   * Turning off was left to the write path: the maintenance has a snapshot to restore or
   * a window to complete (MaintenanceSwitcher.turnOff).
   */
  deferred: boolean;
  reason: string | null;
  changedAt: Date | null;
  changedBy: string | null;
}

export interface MaintenanceChangeRow {
  id: string;
  action: string;
  enabled: boolean;
  previous: boolean;
  reason: string | null;
  actorId: string | null;
  actorEmail: string | null;
  source: string;
  version: bigint;
  createdAt: Date;
}

/** Maintenance mode's queries: the one-statement switch, the plan it brings and the history it keeps. */
@Injectable()
export class MaintenanceRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: AccountRepository,
  ) {}

  /**
   * One statement locks the row, compares, updates, keeps the switch in the history and
   * records the change event (SET_MAINTENANCE_SQL): no interactive transaction for the
   * hottest write. Inside a caller's transaction it joins it. Undefined: the app is gone.
   */
  async set(
    db: PrismaTransaction,
    appId: string,
    change: {
      enabled: boolean;
      actorId: string;
      reason: string | null;
      source: MaintenanceSource;
      endsAt?: Date | null;
    },
  ): Promise<MaintenanceSwitch | undefined> {
    const [row] = await db.$queryRawUnsafe<
      {
        app_name: string;
        app_updated_at: Date;
        changed: boolean;
        deferred: boolean;
        reason: string | null;
        changed_at: Date | null;
        changed_by: string | null;
      }[]
    >(
      SET_MAINTENANCE_SQL,
      appId,
      change.enabled,
      change.actorId,
      change.reason,
      change.source,
      change.endsAt ?? null,
    );
    if (!row) return undefined;
    return {
      appName: row.app_name,
      appUpdatedAt: row.app_updated_at,
      changed: row.changed,
      deferred: row.deferred,
      reason: row.reason,
      changedAt: row.changed_at,
      changedBy: row.changed_by,
    };
  }

  /** Writes the current maintenance's plan, after the switch that reset it (same transaction). */
  async writePlan(
    tx: PrismaTransaction,
    appId: string,
    plan: MaintenancePlanColumns,
  ): Promise<void> {
    await tx.app.update({
      where: { id: appId },
      data: {
        maintenanceFrozen: plan.frozen,
        maintenanceSnapshot: plan.snapshot ?? Prisma.DbNull,
        maintenanceMaxDuration: plan.maxDuration,
        maintenanceAutoOffWhenOverdue: plan.autoOffWhenOverdue,
        maintenanceEndsAt: plan.endsAt,
        maintenanceWindowId: plan.windowId,
      },
    });
  }

  async setJobsPolicy(tx: PrismaTransaction, appId: string, jobs: 'run' | 'pause'): Promise<void> {
    await tx.app.update({ where: { id: appId }, data: { maintenanceJobs: jobs } });
  }

  /**
   * Keeps the overdue alert in the history (once per maintenance: overdue_at is set with
   * it), under the change event `version` that announced it.
   */
  async recordOverdue(
    tx: PrismaTransaction,
    appId: string,
    entry: { reason: string; actorId: string | null; version: number },
  ): Promise<void> {
    await tx.app.update({ where: { id: appId }, data: { maintenanceOverdueAt: new Date() } });
    await tx.maintenanceChange.create({
      data: {
        appId,
        action: 'maintenance.overdue',
        enabled: true,
        previous: true,
        reason: entry.reason,
        actorId: entry.actorId,
        source: 'overdue',
        version: entry.version,
      },
    });
  }

  /** Apps in maintenance past their max duration without their alert: the sweep's catch-up. */
  async overdue(db: PrismaTransaction, limit: number): Promise<string[]> {
    const rows = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM apps
      WHERE maintenance AND maintenance_max_duration IS NOT NULL AND maintenance_overdue_at IS NULL
        AND maintenance_changed_at + make_interval(secs => maintenance_max_duration) <= now()
      ORDER BY maintenance_changed_at LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }

  /** The email of whoever made the current mode, if the account still exists. */
  async actorEmail(accountId: string | null): Promise<string | null> {
    if (!accountId) return null;
    return (await this.accounts.emails([accountId])).get(accountId) ?? null;
  }

  /** Every switch of an app, newest first by default, Range-paginated by created_at or id. */
  async history(appId: string, range: ListRange): Promise<MaintenanceChangeRow[]> {
    const query = rangeQuery(range);
    const rows = await this.prisma.maintenanceChange.findMany({
      where: { ...query.where, appId },
      orderBy: query.orderBy,
      take: query.take,
    });
    const emails = await this.accounts.emails([
      ...new Set(rows.flatMap((row) => (row.actorId ? [row.actorId] : []))),
    ]);
    return rows.map((row) => ({
      ...row,
      actorEmail: row.actorId ? (emails.get(row.actorId) ?? null) : null,
    }));
  }
}
