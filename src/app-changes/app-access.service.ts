import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, NotFoundError } from '../common/errors/api-errors.js';
import { idOrNameWhere } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { AppRepository, AppWithRelations } from '../store/app.repository.js';

/**
 * What a principal must be to an app for a request: a member (its owner or one of its
 * collaborators, who may do everything the owner may), or its owner, for what Heroku keeps
 * to owners: deleting or renaming the app and managing its collaborators. Admins are both.
 */
export type AppRole = 'member' | 'owner';

export interface AppAccessOptions {
  /** 'member' unless said. */
  role?: AppRole;
  /** What an owner-only request does, for a collaborator's 403: "delete it", "rename it". */
  action?: string;
}

/**
 * Finds an app by `{app_id_or_name}` for a principal, the one place that decides who may
 * touch which app: 404 when it does not exist, 403 when it is someone else's (as Heroku),
 * or when it takes the owner and the principal is a collaborator.
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
    options: AppAccessOptions = {},
  ): Promise<AppWithRelations> {
    const found = await this.apps.fetchFor(
      this.prisma,
      idOrNameWhere(idOrName),
      principal.accountId,
    );
    return authorize(principal, found, options);
  }

  /** Like find, with the app's row locked until the caller's transaction ends. */
  async lock(
    tx: PrismaTransaction,
    principal: Principal,
    idOrName: string,
    options: AppAccessOptions = {},
  ): Promise<AppWithRelations> {
    const found = await this.apps.fetchFor(tx, idOrNameWhere(idOrName), principal.accountId, true);
    return authorize(principal, found, options);
  }

  /**
   * For a member already let in (a collaborator removing someone): 403 unless the principal
   * is the app's owner or an admin.
   */
  requireOwner(principal: Principal, app: AppWithRelations, action: string): void {
    if (!isOwner(principal, app)) throw ownerOnly(app, action);
  }
}

function isOwner(principal: Principal, app: AppWithRelations): boolean {
  return principal.isAdmin || app.ownerId === principal.accountId;
}

function authorize(
  principal: Principal,
  found: { app: AppWithRelations; collaborates: boolean } | null,
  { role = 'member', action = 'do this' }: AppAccessOptions,
): AppWithRelations {
  if (!found) throw new NotFoundError("Couldn't find that app.");
  const { app, collaborates } = found;
  if (isOwner(principal, app)) return app;
  if (!collaborates) throw new ForbiddenError(`You do not have access to the app ${app.name}.`);
  if (role === 'owner') throw ownerOnly(app, action);
  return app;
}

function ownerOnly(app: AppWithRelations, action: string): ForbiddenError {
  return new ForbiddenError(
    `Only the owner of ${app.name} (${app.owner.email}) may ${action}; collaborators may not.`,
  );
}
