import { Prisma } from '../generated/prisma/client.js';
import { PrismaTransaction } from '../database/prisma.service.js';

/** The channel every replica LISTENs on; the payload is the event's version. */
export const EVENTS_CHANNEL = 'drydock_events';

/**
 * Held from an event's insert until its transaction commits, so events become visible in
 * version order: a reader that has seen version N will never later find an N-1. Without
 * it, a sequence value taken earlier could commit later and a watcher would skip it.
 */
export const EVENT_ORDER_LOCK = 72_736_106;

export interface EventInput {
  /** What happened, `<resource>.<verb>`: app.create, app.rename, maintenance.enable, ... */
  action: string;
  appId?: string;
  appName?: string;
  actorId?: string;
  data?: Prisma.InputJsonValue;
}

/**
 * Appends to the durable change log and notifies every replica at commit. Always called
 * inside the transaction of the change it describes, so the log and the state never
 * disagree.
 */
export async function recordEvent(tx: PrismaTransaction, event: EventInput): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`;
  const created = await tx.event.create({
    data: {
      action: event.action,
      appId: event.appId,
      appName: event.appName,
      actorId: event.actorId,
      data: event.data ?? {},
    },
    select: { version: true },
  });
  await tx.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${created.version.toString()})`;
}
