import { Inject, Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChange, AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { ConflictError, NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { MaintenanceWindow } from '../generated/prisma/client.js';
import { Jobs } from '../jobs/jobs.service.js';
import { checkScaleDown } from '../maintenance/maintenance-plan.js';
import { MaintenanceSwitcher } from '../maintenance/maintenance-switcher.service.js';
import { AccountRepository } from '../store/account.repository.js';
import { FormationRepository } from '../store/formation.repository.js';
import { MaintenanceWindowRepository } from '../store/maintenance-window.repository.js';
import {
  MaintenanceWindowCreateDto,
  MaintenanceWindowResponseDto,
  toWindowResponse,
} from './maintenance-windows.dto.js';
import { WINDOW_START_TASK } from './window-tasks.js';
import { checkWindowSpan, parseInstant } from './window-rules.js';

export const WINDOW_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'starts_at', column: 'startsAt', type: 'timestamp' },
  { name: 'id', column: 'id', type: 'uuid' },
];

/**
 * Scheduled maintenance windows: planned, listed and cancelled here, on the write path;
 * started and ended by the job engine (MaintenanceWindowTransitions).
 */
@Injectable()
export class MaintenanceWindowsService {
  constructor(
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly windows: MaintenanceWindowRepository,
    private readonly formations: FormationRepository,
    private readonly accounts: AccountRepository,
    private readonly switcher: MaintenanceSwitcher,
    private readonly jobs: Jobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Plans a window: it may not overlap another open window of the app (409), and its start
   * job is added in the same transaction, so it exists exactly when the window does.
   */
  async create(
    principal: Principal,
    idOrName: string,
    input: MaintenanceWindowCreateDto,
  ): Promise<MaintenanceWindowResponseDto> {
    const startsAt = parseInstant('starts_at', input.starts_at);
    const endsAt = parseInstant('ends_at', input.ends_at);
    checkWindowSpan({ startsAt, endsAt }, new Date(), this.config.maintenanceWindowMaxSeconds);
    const window = await this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const rows = await this.formations.list(tx, app.id);
      const scaleDown = checkScaleDown(
        input.scale_down ?? [],
        app,
        rows.map((row) => row.type),
      );
      const overlapping = await this.windows.overlapping(tx, app.id, startsAt, endsAt);
      if (overlapping) {
        throw new ConflictError(
          `The window overlaps ${app.name}'s ${overlapping.state} window ${overlapping.id} ` +
            `(${overlapping.startsAt.toISOString()} to ${overlapping.endsAt.toISOString()}): ` +
            'windows of one app may not overlap. Cancel that one first, or pick another time.',
        );
      }
      const created = await this.windows.create(tx, {
        appId: app.id,
        startsAt,
        endsAt,
        reason: input.reason ?? null,
        scaleDown,
        autoOff: input.auto_off ?? true,
        freeze: input.freeze ?? false,
        maxDuration: input.max_duration ?? null,
        autoOffWhenOverdue: input.auto_off_when_overdue ?? false,
        createdBy: principal.accountId,
      });
      await change.record('window.create', {
        window_id: created.id,
        starts_at: created.startsAt.toISOString(),
        ends_at: created.endsAt.toISOString(),
      });
      await this.jobs.addJobIn(
        tx,
        WINDOW_START_TASK,
        { window_id: created.id },
        { runAt: created.startsAt, jobKey: `${WINDOW_START_TASK}:${created.id}` },
      );
      return created;
    });
    return toWindowResponse(window, principal.email);
  }

  async list(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<MaintenanceWindowResponseDto>> {
    const app = await this.access.find(principal, idOrName);
    const rows = await this.windows.page(app.id, range);
    const emails = await this.accounts.emails([
      ...new Set(rows.flatMap((row) => (row.createdBy ? [row.createdBy] : []))),
    ]);
    return toPage(rows, range, (row) =>
      toWindowResponse(row, row.createdBy ? (emails.get(row.createdBy) ?? null) : null),
    );
  }

  async info(
    principal: Principal,
    idOrName: string,
    windowId: string,
  ): Promise<MaintenanceWindowResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const window = isUuid(windowId) ? await this.windows.get(app.id, windowId) : null;
    if (!window) throw notFound(app.name, windowId);
    return this.present(window);
  }

  /**
   * Cancels a window: a scheduled one will not start; an active one's maintenance ends
   * now, with its snapshot restored. A window that is over cannot be cancelled (409).
   */
  async cancel(
    principal: Principal,
    idOrName: string,
    windowId: string,
  ): Promise<MaintenanceWindowResponseDto> {
    const window = await this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const found = isUuid(windowId) ? await this.windows.find(tx, app.id, windowId, true) : null;
      if (!found) throw notFound(app.name, windowId);
      if (found.state === 'completed' || found.state === 'cancelled') {
        throw new ConflictError(
          `The window ${found.id} is already ${found.state}: only scheduled and active windows can be cancelled.`,
        );
      }
      if (found.state === 'active' && app.maintenance && app.maintenanceWindowId === found.id) {
        // Ends the maintenance it started; marks the window cancelled with its event.
        await this.switcher.turnOff(change, 'api', 'cancelled');
      } else {
        await this.end(change, found, 'cancelled');
      }
      return this.windows.find(tx, app.id, found.id);
    });
    return this.present(window!);
  }

  /** Moves a window to `state` with its window.state event. */
  async end(
    change: AppChange,
    window: MaintenanceWindow,
    state: 'completed' | 'cancelled',
  ): Promise<void> {
    await this.windows.setState(change.tx, window.id, state);
    await change.record('window.state', { window_id: window.id, from: window.state, to: state });
  }

  private async present(window: MaintenanceWindow): Promise<MaintenanceWindowResponseDto> {
    const email = window.createdBy
      ? ((await this.accounts.emails([window.createdBy])).get(window.createdBy) ?? null)
      : null;
    return toWindowResponse(window, email);
  }
}

function notFound(appName: string, windowId: string): NotFoundError {
  return new NotFoundError(
    `Couldn't find that maintenance window: ${appName} has no window ${windowId}.`,
  );
}
