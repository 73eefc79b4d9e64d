import { Injectable } from '@nestjs/common';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { AccountRepository } from './account.repository.js';
import { SET_MAINTENANCE_SQL } from './app.sql.js';

/** How a switch happened: `api` (a person or a token); scheduled windows come later. */
export type MaintenanceSource = 'api';

export interface MaintenanceSwitch {
  appName: string;
  appUpdatedAt: Date;
  /** False when the app already had that value: nothing was written. */
  changed: boolean;
  reason: string | null;
  changedAt: Date | null;
  changedBy: string | null;
}

export interface MaintenanceChangeRow {
  id: string;
  enabled: boolean;
  previous: boolean;
  reason: string | null;
  actorId: string | null;
  actorEmail: string | null;
  source: string;
  version: bigint;
  createdAt: Date;
}

/** Maintenance mode's queries: the one-statement switch and the history it keeps. */
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
    change: { enabled: boolean; actorId: string; reason: string | null; source: MaintenanceSource },
  ): Promise<MaintenanceSwitch | undefined> {
    const [row] = await db.$queryRawUnsafe<
      {
        app_name: string;
        app_updated_at: Date;
        changed: boolean;
        reason: string | null;
        changed_at: Date | null;
        changed_by: string | null;
      }[]
    >(SET_MAINTENANCE_SQL, appId, change.enabled, change.actorId, change.reason, change.source);
    if (!row) return undefined;
    return {
      appName: row.app_name,
      appUpdatedAt: row.app_updated_at,
      changed: row.changed,
      reason: row.reason,
      changedAt: row.changed_at,
      changedBy: row.changed_by,
    };
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
