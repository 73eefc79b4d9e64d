import { Inject, Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChange, AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { DEFAULT_REGION, DEFAULT_STACK, knownStack } from '../common/heroku/catalogue.js';
import { buildStackOf, setBuildStack } from '../common/heroku/stack-rules.js';
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
import { ReleaseRepository } from '../store/release.repository.js';
import { CollaboratorRepository } from '../store/collaborator.repository.js';
import { generateAppName } from './app-name.js';
import {
  AppCreateDto,
  AppResponseDto,
  AppUpdateDto,
  toAppExtended,
  toAppResponse,
} from './apps.dto.js';

export const APP_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'id', column: 'id', type: 'uuid' },
  { name: 'name', column: 'name', type: 'string' },
];

/**
 * Heroku's apps resource: create (v1, process types), list (owned and collaborated), info,
 * rename, maintenance, build stack, delete. Renaming and deleting are for the owner.
 * `baseUrl` is where the request reached the API (git_url's host unless PUBLIC_URL says
 * otherwise).
 */
@Injectable()
export class AppsService {
  constructor(
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly apps: AppRepository,
    private readonly releases: ReleaseRepository,
    private readonly accounts: AccountRepository,
    private readonly collaborators: CollaboratorRepository,
    private readonly spaces: SpacesService,
    private readonly maintenance: MaintenanceService,
    private readonly formations: FormationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the app with release v1 and, when given, its process types, in one transaction. */
  async create(
    principal: Principal,
    input: AppCreateDto,
    baseUrl: string,
  ): Promise<AppResponseDto> {
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
    return this.present(app, baseUrl);
  }

  async list(
    principal: Principal,
    range: ListRange,
    baseUrl: string,
  ): Promise<Page<AppResponseDto>> {
    return this.page(principal.isAdmin ? undefined : principal.accountId, range, baseUrl);
  }

  /**
   * `/users/{~|email|id}/apps`, the apps an account owns or collaborates on: a person may
   * list their own; an admin anyone's.
   */
  async listForAccount(
    principal: Principal,
    account: string,
    range: ListRange,
    baseUrl: string,
  ): Promise<Page<AppResponseDto>> {
    const owner =
      account === '~' ? { id: principal.accountId } : await this.accounts.findByIdOrEmail(account);
    if (!owner) throw new NotFoundError("Couldn't find that user.");
    if (!principal.isAdmin && owner.id !== principal.accountId) {
      throw new ForbiddenError('You may only list your own apps.');
    }
    return this.page(owner.id, range, baseUrl);
  }

  /** The app; with `extended` also its current release and slug, and its maintenance. */
  async info(
    principal: Principal,
    idOrName: string,
    baseUrl: string,
    extended = false,
  ): Promise<AppResponseDto> {
    const app = await this.access.find(principal, idOrName);
    if (!extended) return this.present(app, baseUrl);
    const release = await this.releases.current(app.id);
    // Every app has v1 from its creation; none means it was deleted meanwhile.
    if (!release) throw new NotFoundError("Couldn't find that app.");
    return { ...this.present(app, baseUrl), extended: toAppExtended(app, release) };
  }

  /**
   * Rename, maintenance mode and build stack, together or alone. Maintenance alone takes
   * its one-statement path; the others run on the write path, the switch joining them.
   */
  async update(
    principal: Principal,
    idOrName: string,
    input: AppUpdateDto,
    baseUrl: string,
  ): Promise<AppResponseDto> {
    const { name, maintenance } = input;
    const buildStack = input.build_stack === undefined ? undefined : knownStack(input.build_stack);
    if (name === undefined && buildStack === undefined) {
      if (maintenance === undefined) return this.info(principal, idOrName, baseUrl);
      const app = await this.maintenance.setMode(principal, idOrName, maintenance);
      return this.present(app, baseUrl);
    }
    const write = (newName: string | undefined) =>
      this.changes.apply(
        principal,
        idOrName,
        async (change) => {
          const from = change.app.name;
          if (newName !== undefined && newName !== from) {
            await this.apps.rename(change.tx, change.app.id, newName);
            change.app = { ...change.app, name: newName };
            await change.record('app.rename', { from, to: newName });
          }
          if (buildStack !== undefined) await this.setBuildStack(change, buildStack);
          if (maintenance !== undefined) {
            await this.maintenance.setModeWithin(change, maintenance);
          }
          return this.changes.reread(change.tx, change.app.id);
        },
        name === undefined ? undefined : { role: 'owner', action: 'rename it' },
      );
    const updated =
      name === undefined ? await write(undefined) : await this.withUniqueName(name, write);
    return this.present(updated, baseUrl);
  }

  async destroy(principal: Principal, idOrName: string, baseUrl: string): Promise<AppResponseDto> {
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
    return this.present(app, baseUrl);
  }

  /** `heroku stack:set` (stack-rules.ts): at once for an app that runs no slug, else on its next deploy. */
  private async setBuildStack(change: AppChange, wanted: string): Promise<void> {
    const { app } = change;
    const next = setBuildStack(app, wanted, Boolean(app.releases[0]?.slug));
    if (next.stack === app.stack && next.buildStack === app.buildStack) return;
    await this.apps.setStacks(change.tx, app.id, next);
    await change.record('app.stack', {
      stack: { from: app.stack, to: next.stack },
      build_stack: { from: buildStackOf(app), to: buildStackOf(next) },
    });
  }

  private async page(
    accountId: string | undefined,
    range: ListRange,
    baseUrl: string,
  ): Promise<Page<AppResponseDto>> {
    return toPage(await this.apps.page(accountId, range), range, (row) =>
      this.present(row, baseUrl),
    );
  }

  private present(app: AppWithRelations, baseUrl: string): AppResponseDto {
    return toAppResponse(app, {
      apiBaseUrl: this.config.publicUrl ?? baseUrl,
      appsDomain: this.config.appsDomain,
    });
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
