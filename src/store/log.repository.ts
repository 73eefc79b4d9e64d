import { Injectable } from '@nestjs/common';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';

/** A line as stored, its time already in Heroku's format. */
export interface StoredLogLine {
  seq: number;
  /** `2026-12-01T18:00:00.123456+00:00` */
  at: string;
  source: string;
  dyno: string;
  message: string;
}

export interface LogLineInput {
  appId: string;
  loggedAt: Date;
  source: string;
  dyno: string;
  message: string;
}

/** How many lines each app keeps (the constant of drydock_append_log_lines). */
export const LOG_LINES_KEPT = 1500;

const COLUMNS = `seq, to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') AS at, source, dyno, message`;

interface LineRow {
  seq: bigint;
  at: string;
  source: string;
  dyno: string;
  message: string;
}

/** Apps' logs: appending (numbered per app, trimmed, notified) and reading them back. */
@Injectable()
export class LogRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Appends lines in order, in one statement; lines of apps that do not exist are left out. */
  async append(lines: readonly LogLineInput[]): Promise<number> {
    if (lines.length === 0) return 0;
    const [row] = await this.prisma.$queryRawUnsafe<{ stored: number }[]>(
      `SELECT drydock_append_log_lines($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[]) AS stored`,
      lines.map((line) => line.appId),
      lines.map((line) => line.loggedAt),
      lines.map((line) => line.source),
      lines.map((line) => line.dyno),
      lines.map((line) => line.message),
    );
    return row.stored;
  }

  /** Every retained line of the app written after `since`, oldest first. */
  async retained(appId: string, since: Date): Promise<StoredLogLine[]> {
    const rows = await this.prisma.$queryRawUnsafe<LineRow[]>(
      `SELECT ${COLUMNS} FROM log_lines WHERE app_id = $1::uuid AND logged_at > $2 ORDER BY seq`,
      appId,
      since,
    );
    return rows.map(toLine);
  }

  /** Up to `limit` lines after `seq`, oldest first. */
  async after(
    appId: string,
    seq: number,
    limit: number,
    db: PrismaTransaction = this.prisma,
  ): Promise<StoredLogLine[]> {
    const rows = await db.$queryRawUnsafe<LineRow[]>(
      `SELECT ${COLUMNS} FROM log_lines WHERE app_id = $1::uuid AND seq > $2 ORDER BY seq LIMIT $3`,
      appId,
      seq,
      limit,
    );
    return rows.map(toLine);
  }

  /** The number of the app's newest line, 0 before its first. */
  async head(appId: string, db: PrismaTransaction = this.prisma): Promise<number> {
    const stream = await db.logStream.findUnique({ where: { appId } });
    return stream ? Number(stream.head) : 0;
  }

  /** Deletes up to `batch` lines written before `cutoff`; returns how many. */
  pruneOlderThan(cutoff: Date, batch: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM log_lines WHERE ctid IN (
        SELECT ctid FROM log_lines WHERE logged_at < ${cutoff} LIMIT ${batch})`;
  }
}

function toLine(row: LineRow): StoredLogLine {
  return {
    seq: Number(row.seq),
    at: row.at,
    source: row.source,
    dyno: row.dyno,
    message: row.message,
  };
}
