import { Inject, Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { DEFAULT_REGION, DEFAULT_STACK } from '../common/heroku/catalogue.js';
import { ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { isUniqueViolation } from '../database/prisma-errors.js';
import { FormationsService } from '../formations/formations.service.js';
import { parseProcessTypes } from '../formations/process-types.js';
import { MaintenanceService } from '../maintenance/maintenance.service.js';
import { SpacesService } from '../spaces/spaces.service.js';
import { AccountRepository } from '../store/account.repository.js';
import { AppRepository, AppWithRelations } from '../store/app.repository.js';
import { CollaboratorRepository } from '../store/collaborator.repository.js';
import { generateAppName } from './app-name.js';
import { AppCreateDto, AppResponseDto, AppUpdateDto, toAppResponse } from './apps.dto.js';

export const APP_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'id', column: 'id', type: 'uuid' },
  { name: 'name', column: 'name', type: 'string' },
];

/**
 * Heroku's apps resource: create (v1, process types), list (owned and collaborated), info,
 * rename, maintenance, delete. Renaming and deleting are for the owner.
 */
@Injectable()
export class AppsService {
  constructor(
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly apps: AppRepository,
    private readonly accounts: AccountRepository,
    private readonly collaborators: CollaboratorRepository,
    private readonly spaces: SpacesService,
    private readonly maintenance: MaintenanceService,
    private readonly formations: FormationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the app with release v1 and, when given, its process types, in one transaction. */
  async create(principal: Principal, input: AppCreateDto): Promise<AppResponseDto> {
    const processTypes =
      input.process_types === undefined ? undefined : parseProcessTypes(input.process_types);
    const space = input.space ? await this.spaces.findAccessible(principal, input.space) : null;
    const app = await this.withUniqueName(input.name, (name) =>
      this.changes.create(
        principal,
        {
          name,
          spaceId: space?.id,
          spaceName: space?.name ?? null,
          region: space?.region ?? input.region ?? DEFAULT_REGION,
          stack: input.stack ?? DEFAULT_STACK,
        },
        async (change) => {
          if (processTypes) await this.formations.declare(change, processTypes);
        },
      ),
    );
    return this.present(app);
  }

  async list(principal: Principal, range: ListRange): Promise<Page<AppResponseDto>> {
    return this.page(principal.isAdmin ? undefined : principal.accountId, range);
  }

  /**
   * `/users/{~|email|id}/apps`, the apps an account owns or collaborates on: a person may
   * list their own; an admin anyone's.
   */
  async listForAccount(
    principal: Principal,
    account: string,
    range: ListRange,
  ): Promise<Page<AppResponseDto>> {
    const owner =
      account === '~' ? { id: principal.accountId } : await this.accounts.findByIdOrEmail(account);
    if (!owner) throw new NotFoundError("Couldn't find that user.");
    if (!principal.isAdmin && owner.id !== principal.accountId) {
      throw new ForbiddenError('You may only list your own apps.');
    }
    return this.page(owner.id, range);
  }

  async info(principal: Principal, idOrName: string): Promise<AppResponseDto> {
    return this.present(await this.access.find(principal, idOrName));
  }

  /**
   * Rename and maintenance mode, together or alone. Maintenance alone takes its
   * one-statement path; a rename runs on the write path, the switch joining it.
   */
  async update(
    principal: Principal,
    idOrName: string,
    input: AppUpdateDto,
  ): Promise<AppResponseDto> {
    const { name, maintenance } = input;
    if (name === undefined) {
      if (maintenance === undefined) return this.info(principal, idOrName);
      return this.present(await this.maintenance.setMode(principal, idOrName, maintenance));
    }
    const renamed = await this.withUniqueName(name, (newName) =>
      this.changes.apply(
        principal,
        idOrName,
        async (change) => {
          const from = change.app.name;
          if (newName !== from) {
            await this.apps.rename(change.tx, change.app.id, newName);
            change.app = { ...change.app, name: newName };
            await change.record('app.rename', { from, to: newName });
          }
          if (maintenance !== undefined) {
            await this.maintenance.setModeWithin(change, maintenance);
          }
          return this.changes.reread(change.tx, change.app.id);
        },
        { role: 'owner', action: 'rename it' },
      ),
    );
    return this.present(renamed);
  }

  async destroy(principal: Principal, idOrName: string): Promise<AppResponseDto> {
    const app = await this.changes.apply(
      principal,
      idOrName,
      async (change) => {
        const collaboratorIds = await this.collaborators.accountIds(change.tx, change.app.id);
        await this.apps.delete(change.tx, change.app.id);
        // Watchers who see only their own apps still learn the app is gone.
        await change.record('app.destroy', {
          owner_id: change.app.ownerId,
          collaborator_ids: collaboratorIds,
        });
        return change.app;
      },
      { role: 'owner', action: 'delete it' },
    );
    return this.present(app);
  }

  private async page(
    accountId: string | undefined,
    range: ListRange,
  ): Promise<Page<AppResponseDto>> {
    return toPage(await this.apps.page(accountId, range), range, (row) => this.present(row));
  }

  private present(app: AppWithRelations): AppResponseDto {
    return toAppResponse(app, this.config.appsDomain);
  }

  /**
   * Runs a write that sets an app's name. A chosen name that is taken is a 422, as on
   * Heroku; a generated one that collides is simply drawn again.
   */
  private async withUniqueName<T>(
    requested: string | undefined,
    write: (name: string) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const name = requested ?? generateAppName();
      try {
        return await write(name);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (requested !== undefined || attempt >= 5) {
          throw new InvalidParamsError(`Name ${name} is already taken`);
        }
      }
    }
  }
}
