/** One entry of the change log as readers see it. */
export interface ChangeEvent {
  version: number;
  action: string;
  appId: string | null;
  appName: string | null;
  actorId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** The log's row as read through Prisma (version a bigint) or pg (version a string). */
export interface EventRow {
  version: bigint | string;
  action: string;
  appId: string | null;
  appName: string | null;
  actorId: string | null;
  data: unknown;
  createdAt: Date;
}

export function toChangeEvent(row: EventRow): ChangeEvent {
  return {
    version: Number(row.version),
    action: row.action,
    appId: row.appId,
    appName: row.appName,
    actorId: row.actorId,
    data: (row.data ?? {}) as Record<string, unknown>,
    createdAt: row.createdAt,
  };
}
