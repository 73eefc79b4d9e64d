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
   * Sets the flag on an app whose row the caller has locked. Setting the value it already
   * has is a no-op that records nothing. Returns whether anything changed.
   */
  async apply(
    tx: PrismaTransaction,
    app: { id: string; name: string; maintenance: boolean },
    enabled: boolean,
    actorId: string,
  ): Promise<boolean> {
    if (app.maintenance === enabled) return false;
    await tx.app.update({ where: { id: app.id }, data: { maintenance: enabled } });
    await recordEvent(tx, {
      action: enabled ? 'maintenance.enable' : 'maintenance.disable',
      appId: app.id,
      appName: app.name,
      actorId,
      data: { from: app.maintenance, to: enabled },
    });
    return true;
  }
}
