import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaService } from '../database/prisma.service.js';
import { AccountRepository } from '../store/account.repository.js';
import type { AppWithRelations } from '../store/app.repository.js';
import { CollaboratorRepository } from '../store/collaborator.repository.js';
import {
  CollaboratorCreateDto,
  CollaboratorResponseDto,
  toCollaboratorResponse,
  toOwnerResponse,
} from './collaborators.dto.js';

const MANAGE = 'manage its collaborators';

/** Whether `identity` (an email or an id) names the app's owner. */
function namesOwner(app: AppWithRelations, identity: string): boolean {
  const value = identity.toLowerCase();
  return isUuid(value) ? value === app.owner.id : value === app.owner.email;
}

/**
 * Heroku's collaborators of a personal app. Any member lists and shows them; the owner (or
 * an admin) adds and removes them, and a collaborator may remove themselves. Adding and
 * removing take the app's write path with a `collaborator.create` / `.destroy` event and
 * cut no release: access is not configuration.
 */
@Injectable()
export class CollaboratorsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccess,
    private readonly changes: AppChanges,
    private readonly accounts: AccountRepository,
    private readonly collaborators: CollaboratorRepository,
  ) {}

  /** The owner first, then the collaborators in the order they were added. */
  async list(principal: Principal, idOrName: string): Promise<CollaboratorResponseDto[]> {
    const app = await this.access.find(principal, idOrName);
    const rows = await this.collaborators.list(this.prisma, app.id);
    return [toOwnerResponse(app), ...rows.map((row) => toCollaboratorResponse(app, row))];
  }

  async info(
    principal: Principal,
    idOrName: string,
    identity: string,
  ): Promise<CollaboratorResponseDto> {
    const app = await this.access.find(principal, idOrName);
    if (namesOwner(app, identity)) return toOwnerResponse(app);
    const row = await this.collaborators.find(this.prisma, app.id, identity);
    if (!row) throw new NotFoundError("Couldn't find that collaborator.");
    return toCollaboratorResponse(app, row);
  }

  create(
    principal: Principal,
    idOrName: string,
    input: CollaboratorCreateDto,
  ): Promise<CollaboratorResponseDto> {
    return this.changes.apply(
      principal,
      idOrName,
      async (change) => {
        const { tx, app } = change;
        const account = await this.accounts.findByIdOrEmail(
          input.user === '~' ? principal.accountId : input.user,
        );
        // drydock sends no invitations: only existing accounts can be added.
        if (!account) throw new NotFoundError("Couldn't find that user.");
        if (account.id === app.ownerId) {
          throw new InvalidParamsError(
            `${account.email} owns ${app.name}: the owner cannot also be a collaborator.`,
          );
        }
        // Under the app's lock: two adds of the same account at once see each other.
        if (await this.collaborators.find(tx, app.id, account.id)) {
          throw new InvalidParamsError(
            `${account.email} is already a collaborator on ${app.name}.`,
          );
        }
        const row = await this.collaborators.create(tx, app.id, account.id);
        await change.record('collaborator.create', {
          collaborator_id: row.id,
          account_id: account.id,
          email: account.email,
        });
        return toCollaboratorResponse(app, row);
      },
      { role: 'owner', action: MANAGE },
    );
  }

  remove(
    principal: Principal,
    idOrName: string,
    identity: string,
  ): Promise<CollaboratorResponseDto> {
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const row = await this.collaborators.find(tx, app.id, identity);
      // A collaborator may leave (`heroku apps:leave`); removing anyone else is the owner's.
      if (row?.accountId !== principal.accountId) this.access.requireOwner(principal, app, MANAGE);
      if (namesOwner(app, identity)) {
        throw new InvalidParamsError(
          `${app.owner.email} owns ${app.name}: the owner cannot be removed from the app.`,
        );
      }
      if (!row) throw new NotFoundError("Couldn't find that collaborator.");
      await this.collaborators.delete(tx, row.id);
      await change.record('collaborator.destroy', {
        collaborator_id: row.id,
        account_id: row.accountId,
        email: row.account.email,
      });
      return toCollaboratorResponse(app, row);
    });
  }
}
