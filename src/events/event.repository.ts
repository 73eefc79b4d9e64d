import { Injectable } from '@nestjs/common';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { ChangeEvent, EventRow, toChangeEvent } from './change-event.js';

/** The next events after a version, for the change feed's own connection (bare pg, $1 $2). */
export const EVENTS_AFTER_SQL = `
  SELECT version, action, app_id AS "appId", app_name AS "appName", actor_id AS "actorId", data, created_at AS "createdAt"
  FROM events WHERE version > $1 ORDER BY version LIMIT $2`;

/** The change log's queries. */
@Injectable()
export class EventRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The newest version, 0 for an empty log. */
  async head(db: PrismaTransaction = this.prisma): Promise<number> {
    const [row] = await db.$queryRaw<{ version: bigint | null }[]>`
      SELECT max(version) AS version FROM events`;
    return Number(row.version ?? 0);
  }

  /** The oldest version still retained and the newest, for resumability checks. */
  async bounds(): Promise<{ oldest: number | null; newest: number }> {
    const [row] = await this.prisma.$queryRaw<
      { oldest: bigint | null; newest: bigint | null }[]
    >`SELECT min(version) AS oldest, max(version) AS newest FROM events`;
    return {
      oldest: row.oldest === null ? null : Number(row.oldest),
      newest: Number(row.newest ?? 0),
    };
  }

  /** The events in (after, upTo], oldest first. */
  async between(after: number, upTo: number): Promise<ChangeEvent[]> {
    const rows = await this.prisma.event.findMany({
      where: { version: { gt: BigInt(after), lte: BigInt(upTo) } },
      orderBy: { version: 'asc' },
    });
    return rows.map(toChangeEvent);
  }

  /** Up to `limit` events after `after`, through Prisma (the feed's fallback). */
  async after(after: number, limit: number): Promise<ChangeEvent[]> {
    const rows = await this.prisma.$queryRawUnsafe<EventRow[]>(
      EVENTS_AFTER_SQL,
      BigInt(after),
      limit,
    );
    return rows.map(toChangeEvent);
  }

  /** One app's trail, by version (newest first unless the range says otherwise). */
  async ofApp(appId: string, range: ListRange): Promise<ChangeEvent[]> {
    const query = rangeQuery(range);
    const rows = await this.prisma.event.findMany({
      where: { ...query.where, appId },
      orderBy: { version: range.order },
      take: query.take,
    });
    return rows.map(toChangeEvent);
  }

  /** The id of the app last known by `name` in the log, which outlives deleted apps. */
  async appIdByName(name: string): Promise<string | null> {
    const event = await this.prisma.event.findFirst({
      where: { appName: name, appId: { not: null } },
      orderBy: { version: 'desc' },
      select: { appId: true },
    });
    return event?.appId ?? null;
  }

  /** Deletes up to `batch` events older than `cutoff`, oldest first (an index range on the version). */
  prune(cutoff: Date, batch: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM events WHERE version IN (
        SELECT version FROM events WHERE created_at < ${cutoff} ORDER BY version LIMIT ${batch})`;
  }
}
