import { Prisma } from '../generated/prisma/client.js';
import { PrismaTransaction } from '../database/prisma.service.js';

export interface EventInput {
  /** What happened, `<resource>.<verb>`: app.create, app.rename, maintenance.enable, ... */
  action: string;
  appId?: string;
  appName?: string;
  actorId?: string;
  data?: Prisma.InputJsonValue;
}

/**
 * Appends to the durable change log. Always called inside the transaction of the change
 * it describes, so the log and the state never disagree.
 */
export async function recordEvent(tx: PrismaTransaction, event: EventInput): Promise<void> {
  await tx.event.create({
    data: {
      action: event.action,
      appId: event.appId,
      appName: event.appName,
      actorId: event.actorId,
      data: event.data ?? {},
    },
  });
}
