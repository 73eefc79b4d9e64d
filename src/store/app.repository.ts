import { Injectable } from '@nestjs/common';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import { APP_WITH_RELATIONS_SQL } from './app.sql.js';

export const APP_INCLUDE = {
  owner: true,
  space: true,
  releases: {
    select: {
      createdAt: true,
      slug: { select: { id: true, stack: true, blob: { select: { size: true } } } },
    },
    orderBy: { version: 'desc' },
    take: 1,
  },
} satisfies Prisma.AppInclude;

/**
 * An app with its owner, space and current (latest) release, with the slug that release
 * runs: what every app answer shows.
 */
export type AppWithRelations = Prisma.AppGetPayload<{ include: typeof APP_INCLUDE }>;

export type AppKey = { id: string } | { name: string };

/** The apps table's queries. */
@Injectable()
export class AppRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The app, with its row locked until the transaction ends when `forUpdate`. */
  async fetch(
    db: PrismaTransaction,
    key: AppKey,
    forUpdate = false,
  ): Promise<AppWithRelations | null> {
    return (await this.fetchFor(db, key, null, forUpdate))?.app ?? null;
  }

  /**
   * The app as `fetch` reads it, and whether `accountId` is one of its collaborators, in
   * the same statement: what an access check needs.
   */
  async fetchFor(
    db: PrismaTransaction,
    key: AppKey,
    accountId: string | null,
    forUpdate = false,
  ): Promise<{ app: AppWithRelations; collaborates: boolean } | null> {
    const condition = 'id' in key ? 'a.id = $2::uuid' : 'a.name = $2';
    const [row] = await db.$queryRawUnsafe<AppRow[]>(
      `${APP_WITH_RELATIONS_SQL} WHERE ${condition}${forUpdate ? ' FOR UPDATE OF a' : ''}`,
      accountId,
      'id' in key ? key.id : key.name,
    );
    return row ? { app: toApp(row), collaborates: row.collaborates } : null;
  }

  /** The apps `accountId` owns or collaborates on, a page at a time; every app for undefined. */
  page(accountId: string | undefined, range: ListRange): Promise<AppWithRelations[]> {
    const query = rangeQuery(range);
    const accessible: Prisma.AppWhereInput =
      accountId === undefined
        ? {}
        : { OR: [{ ownerId: accountId }, { collaborators: { some: { accountId } } }] };
    return this.prisma.app.findMany({
      where: { ...query.where, ...accessible },
      orderBy: query.orderBy,
      take: query.take,
      include: APP_INCLUDE,
    });
  }

  create(
    tx: PrismaTransaction,
    data: { name: string; ownerId: string; spaceId?: string; region: string; stack: string },
  ) {
    return tx.app.create({ data, select: { id: true, name: true } });
  }

  rename(tx: PrismaTransaction, appId: string, name: string): Promise<void> {
    return tx.app.update({ where: { id: appId }, data: { name } }).then(() => undefined);
  }

  /** Sets the app's stack and the stack its next deploy takes (null: the same). */
  setStacks(
    tx: PrismaTransaction,
    appId: string,
    stacks: { stack: string; buildStack: string | null },
  ): Promise<void> {
    return tx.app.update({ where: { id: appId }, data: stacks }).then(() => undefined);
  }

  /** deleteMany: a concurrent delete of the same app is a no-op, not an error. */
  delete(tx: PrismaTransaction, appId: string): Promise<void> {
    return tx.app.deleteMany({ where: { id: appId } }).then(() => undefined);
  }

  /** The next one-off dyno number: run.1, run.2, ... never reused. */
  async nextOneOffNumber(tx: PrismaTransaction, appId: string): Promise<number> {
    const { oneOffCount } = await tx.app.update({
      where: { id: appId },
      data: { oneOffCount: { increment: 1 } },
      select: { oneOffCount: true },
    });
    return oneOffCount;
  }
}

interface AppRow {
  id: string;
  name: string;
  owner_id: string;
  space_id: string | null;
  region: string;
  stack: string;
  build_stack: string | null;
  maintenance: boolean;
  maintenance_reason: string | null;
  maintenance_changed_at: Date | null;
  maintenance_changed_by: string | null;
  maintenance_frozen: boolean;
  maintenance_snapshot: Prisma.JsonValue;
  maintenance_max_duration: number | null;
  maintenance_auto_off_when_overdue: boolean;
  maintenance_overdue_at: Date | null;
  maintenance_ends_at: Date | null;
  maintenance_window_id: string | null;
  maintenance_jobs: string;
  one_off_count: number;
  created_at: Date;
  updated_at: Date;
  owner_email: string;
  owner_name: string | null;
  owner_is_admin: boolean;
  owner_created_at: Date;
  owner_updated_at: Date;
  space_name: string | null;
  space_owner_id: string | null;
  space_shield: boolean | null;
  space_region: string | null;
  space_created_at: Date | null;
  space_updated_at: Date | null;
  released_at: Date | null;
  current_slug_id: string | null;
  current_slug_stack: string | null;
  current_slug_size: bigint | null;
  collaborates: boolean;
}

function toApp(row: AppRow): AppWithRelations {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    spaceId: row.space_id,
    region: row.region,
    stack: row.stack,
    buildStack: row.build_stack,
    maintenance: row.maintenance,
    maintenanceReason: row.maintenance_reason,
    maintenanceChangedAt: row.maintenance_changed_at,
    maintenanceChangedBy: row.maintenance_changed_by,
    maintenanceFrozen: row.maintenance_frozen,
    maintenanceSnapshot: row.maintenance_snapshot,
    maintenanceMaxDuration: row.maintenance_max_duration,
    maintenanceAutoOffWhenOverdue: row.maintenance_auto_off_when_overdue,
    maintenanceOverdueAt: row.maintenance_overdue_at,
    maintenanceEndsAt: row.maintenance_ends_at,
    maintenanceWindowId: row.maintenance_window_id,
    maintenanceJobs: row.maintenance_jobs,
    oneOffCount: row.one_off_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    owner: {
      id: row.owner_id,
      email: row.owner_email,
      name: row.owner_name,
      isAdmin: row.owner_is_admin,
      createdAt: row.owner_created_at,
      updatedAt: row.owner_updated_at,
    },
    space:
      row.space_id === null
        ? null
        : {
            id: row.space_id,
            name: row.space_name!,
            ownerId: row.space_owner_id!,
            shield: row.space_shield!,
            region: row.space_region!,
            createdAt: row.space_created_at!,
            updatedAt: row.space_updated_at!,
          },
    releases: row.released_at
      ? [
          {
            createdAt: row.released_at,
            slug:
              row.current_slug_id === null
                ? null
                : {
                    id: row.current_slug_id,
                    stack: row.current_slug_stack!,
                    blob: { size: row.current_slug_size },
                  },
          },
        ]
      : [],
  };
}
