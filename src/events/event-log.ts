import { PrismaTransaction } from '../database/prisma.service.js';
import type { ChangeInput } from './change-event.js';

/** The channel every replica LISTENs on; the payload is the event's version. */
export const EVENTS_CHANNEL = 'drydock_events';

/**
 * Appends a typed change to the durable change log and notifies every replica at commit.
 * Always called inside the transaction of the change it describes, so the log and the
 * state never disagree. The SQL function (migration add_record_event_function) holds an
 * advisory lock from the insert to the commit, so events become visible in version order:
 * a reader that has seen version N never later finds an N-1. Returns the event's version.
 */
export async function recordEvent(tx: PrismaTransaction, event: ChangeInput): Promise<number> {
  const [row] = await tx.$queryRaw<{ version: bigint }[]>`SELECT drydock_record_event(
    ${event.action}, ${event.appId ?? null}::uuid, ${event.appName ?? null}, ${event.actorId ?? null}::uuid,
    ${JSON.stringify(event.data)}::jsonb) AS version`;
  return Number(row.version);
}
