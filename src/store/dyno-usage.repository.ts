import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

export interface DynoUsageRow {
  /** YYYY-MM-DD, UTC. */
  date: string;
  type: string;
  size: string;
  /** Seconds dynos of this type and size were up that day. */
  seconds: number;
  /** Of those, the seconds the app was in maintenance mode. */
  maintenanceSeconds: number;
}

/**
 * Dyno usage, summed from the sessions dyno managers' reports opened and closed
 * (dyno_sessions), split at UTC midnight, with the part spent in maintenance mode taken
 * from the app's maintenance history. A session still open counts until now.
 */
const USAGE_SQL = `
WITH days AS (
  SELECT day::date AS date,
         day AS day_start,
         day + interval '1 day' AS day_end
  FROM generate_series(($2::date)::timestamp AT TIME ZONE 'UTC',
                       ($3::date)::timestamp AT TIME ZONE 'UTC',
                       interval '1 day') AS day
),
sessions AS (
  SELECT type, size, started_at, COALESCE(ended_at, now()) AS ended_at
  FROM dyno_sessions
  WHERE app_id = $1::uuid
    AND started_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
    AND COALESCE(ended_at, now()) > ($2::date)::timestamp AT TIME ZONE 'UTC'
),
switches AS (
  SELECT enabled, created_at AS from_at,
         COALESCE(lead(created_at) OVER (ORDER BY version), now()) AS to_at
  FROM maintenance_changes
  WHERE app_id = $1::uuid AND action <> 'maintenance.overdue'
),
maintenance AS (SELECT from_at, to_at FROM switches WHERE enabled),
pieces AS (
  SELECT d.date, s.type, s.size,
         greatest(s.started_at, d.day_start) AS from_at,
         least(s.ended_at, d.day_end) AS to_at
  FROM days d JOIN sessions s ON s.started_at < d.day_end AND s.ended_at > d.day_start
)
SELECT to_char(p.date, 'YYYY-MM-DD') AS date, p.type, p.size,
       sum(extract(epoch FROM p.to_at - p.from_at))::float8 AS seconds,
       COALESCE(sum((
         SELECT sum(extract(epoch FROM least(p.to_at, m.to_at) - greatest(p.from_at, m.from_at)))
         FROM maintenance m WHERE m.from_at < p.to_at AND m.to_at > p.from_at
       )), 0)::float8 AS maintenance_seconds
FROM pieces p
GROUP BY p.date, p.type, p.size
ORDER BY p.date, p.type, p.size`;

/** The dyno_sessions table, read as usage. */
@Injectable()
export class DynoUsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Usage of the app per UTC day from `start` to `end` (YYYY-MM-DD, both included). */
  async daily(appId: string, start: string, end: string): Promise<DynoUsageRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<
      { date: string; type: string; size: string; seconds: number; maintenance_seconds: number }[]
    >(USAGE_SQL, appId, start, end);
    return rows.map((row) => ({
      date: row.date,
      type: row.type,
      size: row.size,
      seconds: row.seconds,
      maintenanceSeconds: row.maintenance_seconds,
    }));
  }
}
