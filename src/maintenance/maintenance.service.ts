import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import type { Principal } from '../common/auth/principal.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { AppWithRelations } from '../store/app.repository.js';
import { MaintenanceRepository, MaintenanceSource } from '../store/maintenance.repository.js';
import {
  MaintenanceChangeDto,
  MaintenanceResponseDto,
  MaintenanceUpdateDto,
  toMaintenanceChange,
  toMaintenanceResponse,
} from './maintenance.dto.js';

export const MAINTENANCE_HISTORY_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'version', column: 'version', type: 'integer' },
];

/**
 * Maintenance mode: routers answer the app's visitors with the maintenance page while its
 * dynos, scheduler jobs and one-off dynos keep running. Turning it on or off touches
 * nothing but the mode (with why and by whom), keeps the switch in the app's history, and
 * records who changed it from what to what. Setting the mode the app already has is a
 * no-op that records nothing.
 */
@Injectable()
export class MaintenanceService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccess,
    private readonly maintenance: MaintenanceRepository,
  ) {}

  async get(principal: Principal, idOrName: string): Promise<MaintenanceResponseDto> {
    const app = await this.access.find(principal, idOrName);
    return toMaintenanceResponse(app, await this.maintenance.actorEmail(app.maintenanceChangedBy));
  }

  async update(
    principal: Principal,
    idOrName: string,
    input: MaintenanceUpdateDto,
  ): Promise<MaintenanceResponseDto> {
    const app = await this.switchApp(await this.access.find(principal, idOrName), principal, input);
    const email =
      app.maintenanceChangedBy === principal.accountId
        ? principal.email
        : await this.maintenance.actorEmail(app.maintenanceChangedBy);
    return toMaintenanceResponse(app, email);
  }

  async history(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<MaintenanceChangeDto>> {
    const app = await this.access.find(principal, idOrName);
    return toPage(await this.maintenance.history(app.id, range), range, toMaintenanceChange);
  }

  /**
   * Switches an app the caller already found, in one statement (the hottest write: operators
   * flip hundreds of apps at once), and returns the app as it now is. Inside a caller's
   * transaction (`db`) the statement joins it.
   */
  async switchApp(
    app: AppWithRelations,
    principal: Principal,
    input: { enabled: boolean; reason?: string },
    db: PrismaTransaction = this.prisma,
    source: MaintenanceSource = 'api',
  ): Promise<AppWithRelations> {
    const result = await this.maintenance.set(db, app.id, {
      enabled: input.enabled,
      actorId: principal.accountId,
      reason: input.reason ?? null,
      source,
    });
    // Deleted between the caller's lookup and this statement.
    if (!result) throw new NotFoundError("Couldn't find that app.");
    return {
      ...app,
      name: result.appName,
      maintenance: input.enabled,
      maintenanceReason: result.reason,
      maintenanceChangedAt: result.changedAt,
      maintenanceChangedBy: result.changedBy,
      updatedAt: result.appUpdatedAt,
    };
  }
}
