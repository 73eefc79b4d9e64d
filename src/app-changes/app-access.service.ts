import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, NotFoundError } from '../common/errors/api-errors.js';
import { idOrNameWhere } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { AppRepository, AppWithRelations } from '../store/app.repository.js';

/**
 * Finds an app by `{app_id_or_name}` for a principal, the one place that decides who may
 * touch which app: 404 when it does not exist, 403 when it is someone else's (as Heroku).
 */
@Injectable()
export class AppAccess {
  constructor(
    private readonly prisma: PrismaService,
    private readonly apps: AppRepository,
  ) {}

  async find(
    principal: Principal,
    idOrName: string,
    db: PrismaTransaction = this.prisma,
  ): Promise<AppWithRelations> {
    return authorize(principal, await this.apps.fetch(db, idOrNameWhere(idOrName)));
  }

  /** Like find, with the app's row locked until the caller's transaction ends. */
  async lock(
    tx: PrismaTransaction,
    principal: Principal,
    idOrName: string,
  ): Promise<AppWithRelations> {
    return authorize(principal, await this.apps.fetch(tx, idOrNameWhere(idOrName), true));
  }
}

function authorize(principal: Principal, app: AppWithRelations | null): AppWithRelations {
  if (!app) throw new NotFoundError("Couldn't find that app.");
  if (!principal.isAdmin && app.ownerId !== principal.accountId) {
    throw new ForbiddenError(`You do not have access to the app ${app.name}.`);
  }
  return app;
}
