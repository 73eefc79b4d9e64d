import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, NotFoundError } from '../common/errors/api-errors.js';
import { idOrNameWhere } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';

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
    const app = await tx.app.findUnique({ where: idOrNameWhere(idOrName), include: APP_INCLUDE });
    return this.authorize(principal, app);
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
    const where = idOrNameWhere(idOrName);
    const locked =
      'id' in where
        ? await tx.$queryRaw<
            { id: string }[]
          >`SELECT id FROM apps WHERE id = ${where.id}::uuid FOR UPDATE`
        : await tx.$queryRaw<
            { id: string }[]
          >`SELECT id FROM apps WHERE name = ${where.name} FOR UPDATE`;
    const app = locked.length
      ? await tx.app.findUnique({ where: { id: locked[0].id }, include: APP_INCLUDE })
      : null;
    return this.authorize(principal, app);
  }

  private authorize(principal: Principal, app: AppWithRelations | null): AppWithRelations {
    if (!app) throw new NotFoundError("Couldn't find that app.");
    if (!principal.isAdmin && app.ownerId !== principal.accountId) {
      throw new ForbiddenError(`You do not have access to the app ${app.name}.`);
    }
    return app;
  }
}
