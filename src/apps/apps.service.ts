import { Inject, Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { ListRange, Page, rangeQuery, RangeField, toPage } from '../common/heroku/range.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import { isUniqueViolation } from '../database/prisma-errors.js';
import { recordEvent } from '../events/event-log.js';
import { SpacesService } from '../spaces/spaces.service.js';
import { APP_INCLUDE, AppAccessService, AppWithRelations } from './app-access.service.js';
import { FormationsService } from '../formations/formations.service.js';
import { parseProcessTypes } from '../formations/process-types.js';
import { MaintenanceService } from '../maintenance/maintenance.service.js';
import { ReleasesService } from '../releases/releases.service.js';
import { generateAppName } from './app-name.js';
import { AppCreateDto, AppResponseDto, AppUpdateDto, toAppResponse } from './apps.dto.js';
import { DEFAULT_REGION, DEFAULT_STACK } from './catalogue.js';

export const APP_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'id', column: 'id', type: 'uuid' },
  { name: 'name', column: 'name', type: 'string' },
];

@Injectable()
export class AppsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly spaces: SpacesService,
    private readonly access: AppAccessService,
    private readonly maintenance: MaintenanceService,
    private readonly releases: ReleasesService,
    private readonly formations: FormationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the app with release v1 and, when given, its process types, in one transaction. */
  async create(principal: Principal, input: AppCreateDto): Promise<AppResponseDto> {
    const processTypes =
      input.process_types === undefined ? undefined : parseProcessTypes(input.process_types);
    const space = input.space ? await this.spaces.findAccessible(principal, input.space) : null;
    const app = await this.withUniqueName(input.name, (name) =>
      this.prisma.$transaction(async (tx) => {
        const created = await tx.app.create({
          data: {
            name,
            ownerId: principal.accountId,
            spaceId: space?.id,
            region: space?.region ?? input.region ?? DEFAULT_REGION,
            stack: input.stack ?? DEFAULT_STACK,
          },
          include: APP_INCLUDE,
        });
        await recordEvent(tx, {
          action: 'app.create',
          appId: created.id,
          appName: created.name,
          actorId: principal.accountId,
          data: { space: space?.name ?? null },
        });
        await this.releases.create(tx, created, {
          description: 'Initial release',
          actorId: principal.accountId,
          configVars: {},
        });
        if (processTypes)
          await this.formations.declare(tx, created, processTypes, principal.accountId);
        return this.access.reread(tx, created.id);
      }),
    );
    return this.present(app);
  }

  list(principal: Principal, range: ListRange): Promise<Page<AppResponseDto>> {
    return this.page(principal.isAdmin ? {} : { ownerId: principal.accountId }, range);
  }

  /** `/users/{~|email|id}/apps`: a person may list their own apps; an admin anyone's. */
  async listForAccount(
    principal: Principal,
    account: string,
    range: ListRange,
  ): Promise<Page<AppResponseDto>> {
    const owner =
      account === '~'
        ? { id: principal.accountId }
        : await this.prisma.account.findFirst({
            where: isUuid(account)
              ? { id: account.toLowerCase() }
              : { email: account.toLowerCase() },
            select: { id: true },
          });
    if (!owner) throw new NotFoundError("Couldn't find that user.");
    if (!principal.isAdmin && owner.id !== principal.accountId) {
      throw new ForbiddenError('You may only list your own apps.');
    }
    return this.page({ ownerId: owner.id }, range);
  }

  async info(principal: Principal, idOrName: string): Promise<AppResponseDto> {
    return this.present(await this.access.find(principal, idOrName));
  }

  /**
   * Rename and maintenance mode, together or alone. Maintenance alone is one statement that
   * takes the app's lock itself; a rename runs in a transaction under that lock.
   */
  async update(
    principal: Principal,
    idOrName: string,
    input: AppUpdateDto,
  ): Promise<AppResponseDto> {
    const { name, maintenance } = input;
    if (name === undefined) {
      const app = await this.access.find(principal, idOrName);
      if (maintenance === undefined) return this.present(app);
      return this.present(
        await this.maintenance.set(this.prisma, app, maintenance, principal.accountId),
      );
    }
    const renamed = await this.withUniqueName(name, (newName) =>
      this.prisma.$transaction(async (tx) => {
        let app = await this.access.lock(tx, principal, idOrName);
        if (newName !== app.name) {
          const row = await tx.app.update({ where: { id: app.id }, data: { name: newName } });
          await recordEvent(tx, {
            action: 'app.rename',
            appId: app.id,
            appName: newName,
            actorId: principal.accountId,
            data: { from: app.name, to: newName },
          });
          app = { ...app, name: row.name, updatedAt: row.updatedAt };
        }
        if (maintenance !== undefined) {
          app = await this.maintenance.set(tx, app, maintenance, principal.accountId);
        }
        return app;
      }),
    );
    return this.present(renamed);
  }

  async destroy(principal: Principal, idOrName: string): Promise<AppResponseDto> {
    const app = await this.access.find(principal, idOrName);
    await this.prisma.$transaction(async (tx) => {
      // deleteMany: a concurrent delete of the same app is a no-op, not an error.
      await tx.app.deleteMany({ where: { id: app.id } });
      await recordEvent(tx, {
        action: 'app.destroy',
        appId: app.id,
        appName: app.name,
        actorId: principal.accountId,
        // Watchers filtered by owner still learn the app is gone.
        data: { owner_id: app.ownerId },
      });
    });
    return this.present(app);
  }

  private async page(where: Prisma.AppWhereInput, range: ListRange): Promise<Page<AppResponseDto>> {
    const query = rangeQuery(range);
    const rows = await this.prisma.app.findMany({
      where: { ...query.where, ...where },
      orderBy: query.orderBy,
      take: query.take,
      include: APP_INCLUDE,
    });
    return toPage(rows, range, (row) => this.present(row));
  }

  present(app: AppWithRelations): AppResponseDto {
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
