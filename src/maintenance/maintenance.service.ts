import { Injectable } from '@nestjs/common';
import { SET_MAINTENANCE_SQL } from '../apps/app-query.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { PrismaTransaction } from '../database/prisma.service.js';

/**
 * Maintenance mode: routers answer the app's visitors with the maintenance page while
 * its dynos, scheduler jobs and one-off dynos keep running. Turning it on or off touches
 * nothing but the flag, and records who changed it from what to what.
 */
@Injectable()
export class MaintenanceService {
  /**
   * Sets the flag and returns the app as it now is. Setting the value it already has is a
   * no-op that records nothing.
   *
   * One statement (the SQL function of migration add_set_maintenance_function) locks the
   * row, compares, updates and records the event, so this needs no transaction of its own:
   * operators flip hundreds of apps at once, and this is the hottest write. Inside a
   * caller's transaction it joins it.
   */
  async set<App extends { id: string; name: string; maintenance: boolean; updatedAt: Date }>(
    db: PrismaTransaction,
    app: App,
    enabled: boolean,
    actorId: string,
  ): Promise<App> {
    // A constant statement with bound parameters, shared with the benchmark's baseline.
    const [row] = await db.$queryRawUnsafe<{ app_name: string; app_updated_at: Date }[]>(
      SET_MAINTENANCE_SQL,
      app.id,
      enabled,
      actorId,
    );
    // Deleted between the caller's lookup and this statement.
    if (!row) throw new NotFoundError("Couldn't find that app.");
    return { ...app, name: row.app_name, maintenance: enabled, updatedAt: row.app_updated_at };
  }
}
