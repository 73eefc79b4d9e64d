import { Injectable } from '@nestjs/common';
import { PrismaTransaction } from '../database/prisma.service.js';
import { recordEvent } from '../events/event-log.js';

/**
 * Maintenance mode: routers answer the app's visitors with the maintenance page while
 * its dynos, scheduler jobs and one-off dynos keep running. Turning it on or off touches
 * nothing but the flag, and records who changed it from what to what.
 */
@Injectable()
export class MaintenanceService {
  /**
   * Sets the flag on an app whose row the caller has locked and returns the app as it now
   * is. Setting the value it already has is a no-op that records nothing.
   */
  async apply<App extends { id: string; name: string; maintenance: boolean; updatedAt: Date }>(
    tx: PrismaTransaction,
    app: App,
    enabled: boolean,
    actorId: string,
  ): Promise<App> {
    if (app.maintenance === enabled) return app;
    // Raw SQL: this is the hottest write, and one statement is all it needs.
    const [{ updated_at: updatedAt }] = await tx.$queryRaw<{ updated_at: Date }[]>`
      UPDATE apps SET maintenance = ${enabled}, updated_at = now() WHERE id = ${app.id}::uuid RETURNING updated_at`;
    await recordEvent(tx, {
      action: enabled ? 'maintenance.enable' : 'maintenance.disable',
      appId: app.id,
      appName: app.name,
      actorId,
      data: { from: app.maintenance, to: enabled },
    });
    return { ...app, maintenance: enabled, updatedAt };
  }
}
