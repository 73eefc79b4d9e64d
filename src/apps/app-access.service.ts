import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, NotFoundError } from '../common/errors/api-errors.js';
import { idOrNameWhere } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { APP_WITH_RELATIONS_SQL } from './app-query.js';

export const APP_INCLUDE = {
  owner: true,
  space: true,
  releases: { select: { createdAt: true }, orderBy: { version: 'desc' }, take: 1 },
} satisfies Prisma.AppInclude;

export type AppWithRelations = Prisma.AppGetPayload<{ include: typeof APP_INCLUDE }>;

/**
 * Finds an app by `{app_id_or_name}` for a principal, the one place that decides who may
 * touch which app: 404 when it does not exist, 403 when it is someone else's (as Heroku).
 */
@Injectable()
export class AppAccessService {
  constructor(private readonly prisma: PrismaService) {}

  async find(
    principal: Principal,
    idOrName: string,
    tx: PrismaTransaction = this.prisma,
  ): Promise<AppWithRelations> {
    return this.authorize(principal, await fetchApp(tx, idOrNameWhere(idOrName), false));
  }

  /**
   * Like find, inside a transaction, with the app's row locked until it commits. Every
   * change to an app's state goes through this lock, so concurrent writers to one app are
   * serialized and none loses an update (or a release version).
   */
  async lock(
    tx: PrismaTransaction,
    principal: Principal,
    idOrName: string,
  ): Promise<AppWithRelations> {
    return this.authorize(principal, await fetchApp(tx, idOrNameWhere(idOrName), true));
  }

  /** The app as it is now inside the caller's transaction, after its own changes. */
  async reread(tx: PrismaTransaction, appId: string): Promise<AppWithRelations> {
    const app = await fetchApp(tx, { id: appId }, false);
    if (!app) throw new NotFoundError("Couldn't find that app.");
    return app;
  }

  private authorize(principal: Principal, app: AppWithRelations | null): AppWithRelations {
    if (!app) throw new NotFoundError("Couldn't find that app.");
    if (!principal.isAdmin && app.ownerId !== principal.accountId) {
      throw new ForbiddenError(`You do not have access to the app ${app.name}.`);
    }
    return app;
  }
}

interface AppRow {
  id: string;
  name: string;
  owner_id: string;
  space_id: string | null;
  region: string;
  stack: string;
  maintenance: boolean;
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
}

/**
 * The app with its owner, space and latest release time (APP_WITH_RELATIONS_SQL), with
 * its row locked when asked.
 */
async function fetchApp(
  tx: PrismaTransaction,
  where: { id: string } | { name: string },
  forUpdate: boolean,
): Promise<AppWithRelations | null> {
  const condition =
    'id' in where ? Prisma.sql`a.id = ${where.id}::uuid` : Prisma.sql`a.name = ${where.name}`;
  const [row] = await tx.$queryRaw<AppRow[]>`${Prisma.raw(APP_WITH_RELATIONS_SQL)}
    WHERE ${condition}
    ${forUpdate ? Prisma.sql`FOR UPDATE OF a` : Prisma.empty}`;
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    spaceId: row.space_id,
    region: row.region,
    stack: row.stack,
    maintenance: row.maintenance,
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
    releases: row.released_at ? [{ createdAt: row.released_at }] : [],
  };
}
