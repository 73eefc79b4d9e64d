import { Injectable } from '@nestjs/common';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { MaintenanceWindow } from '../generated/prisma/client.js';

export type WindowState = 'scheduled' | 'active' | 'completed' | 'cancelled';

/** The windows that may still start or end: the ones schedulers and overlap checks care about. */
export const OPEN_WINDOW_STATES: WindowState[] = ['scheduled', 'active'];

export interface NewWindow {
  appId: string;
  startsAt: Date;
  endsAt: Date;
  reason: string | null;
  scaleDown: string[];
  autoOff: boolean;
  freeze: boolean;
  maxDuration: number | null;
  autoOffWhenOverdue: boolean;
  createdBy: string;
}

/** The maintenance_windows table's queries. */
@Injectable()
export class MaintenanceWindowRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(tx: PrismaTransaction, window: NewWindow): Promise<MaintenanceWindow> {
    return tx.maintenanceWindow.create({ data: window });
  }

  /** The app's window `id`, locked until the transaction ends when `forUpdate`. */
  async find(
    db: PrismaTransaction,
    appId: string,
    id: string,
    forUpdate = false,
  ): Promise<MaintenanceWindow | null> {
    if (!forUpdate) return db.maintenanceWindow.findFirst({ where: { id, appId } });
    const [row] = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM maintenance_windows WHERE id = ${id}::uuid AND app_id = ${appId}::uuid FOR UPDATE`;
    return row ? db.maintenanceWindow.findUnique({ where: { id: row.id } }) : null;
  }

  get(appId: string, id: string): Promise<MaintenanceWindow | null> {
    return this.prisma.maintenanceWindow.findFirst({ where: { id, appId } });
  }

  /** The window and its app's id, for a job that has only the window's id. */
  byId(id: string): Promise<MaintenanceWindow | null> {
    return this.prisma.maintenanceWindow.findUnique({ where: { id } });
  }

  /** An open window of the app that overlaps [startsAt, endsAt), if any. */
  overlapping(
    tx: PrismaTransaction,
    appId: string,
    startsAt: Date,
    endsAt: Date,
  ): Promise<MaintenanceWindow | null> {
    return tx.maintenanceWindow.findFirst({
      where: {
        appId,
        state: { in: OPEN_WINDOW_STATES },
        startsAt: { lt: endsAt },
        endsAt: { gt: startsAt },
      },
      orderBy: { startsAt: 'asc' },
    });
  }

  setState(tx: PrismaTransaction, id: string, state: WindowState): Promise<MaintenanceWindow> {
    return tx.maintenanceWindow.update({ where: { id }, data: { state, updatedAt: new Date() } });
  }

  page(appId: string, range: ListRange): Promise<MaintenanceWindow[]> {
    const query = rangeQuery(range);
    return this.prisma.maintenanceWindow.findMany({
      where: { ...query.where, appId },
      orderBy: query.orderBy,
      take: query.take,
    });
  }

  /**
   * Starts up to `limit` due windows of the plain kind (a reason and an end, nothing to
   * snapshot, freeze or time) set-based, in one statement (drydock_start_due_windows), each
   * exactly as its start job would; the tasks name the jobs it adds and removes. Returns
   * the windows it started.
   */
  async startDue(
    db: PrismaTransaction,
    limit: number,
    tasks: { start: string; end: string },
  ): Promise<string[]> {
    const rows = await db.$queryRaw<{ id: string }[]>`
      SELECT drydock_start_due_windows AS id
      FROM drydock_start_due_windows(${limit}::integer, ${tasks.start}, ${tasks.end})`;
    return rows.map((row) => row.id);
  }

  /**
   * Windows whose start or end came and went without their transition: the sweep's
   * catch-up for a job lost with a replica that died holding it.
   */
  async due(db: PrismaTransaction, limit: number): Promise<{ id: string; state: WindowState }[]> {
    return db.$queryRaw<{ id: string; state: WindowState }[]>`
      SELECT id, state FROM maintenance_windows
      WHERE (state = 'scheduled' AND starts_at <= now()) OR (state = 'active' AND ends_at <= now())
      ORDER BY starts_at LIMIT ${limit}`;
  }
}
