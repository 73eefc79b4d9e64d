import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/heroku/identity.js';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Dyno } from '../generated/prisma/client.js';

/** One-off dynos are `run.N`; the formation's are `<type>.<N>`. */
export const ONE_OFF_TYPE = 'run';

const RELEASE_REF = { release: { select: { id: true, version: true } } } as const;

export type DynoWithRelease = Dyno & { release: { id: string; version: number } | null };

/** What a formation entry asks for; its dynos are made to match. */
export interface FormationTarget {
  type: string;
  quantity: number;
  size: string;
  command: string;
}

/** The dynos table's queries. */
@Injectable()
export class DynoRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Makes the dyno records of one process type follow its formation: `type.1` to
   * `type.N` exist, higher numbers are gone, and a size or command change restarts them
   * on `releaseId`.
   */
  async reconcile(
    tx: PrismaTransaction,
    appId: string,
    target: FormationTarget,
    releaseId: string | null,
  ): Promise<void> {
    const existing = await tx.dyno.findMany({
      where: { appId, type: target.type },
      select: { id: true, name: true },
    });
    const numbers = new Set(existing.map((dyno) => dynoNumber(dyno.name)));
    const beyond = existing
      .filter((dyno) => dynoNumber(dyno.name) > target.quantity)
      .map((dyno) => dyno.id);
    if (beyond.length) await tx.dyno.deleteMany({ where: { id: { in: beyond } } });
    await tx.dyno.updateMany({
      where: {
        appId,
        type: target.type,
        OR: [{ size: { not: target.size } }, { command: { not: target.command } }],
      },
      data: { size: target.size, command: target.command, state: 'starting', releaseId },
    });
    const missing = Array.from({ length: target.quantity }, (_, i) => i + 1).filter(
      (n) => !numbers.has(n),
    );
    if (missing.length) {
      await tx.dyno.createMany({
        data: missing.map((n) => ({
          appId,
          name: `${target.type}.${n}`,
          type: target.type,
          command: target.command,
          size: target.size,
          state: 'starting',
          releaseId,
        })),
      });
    }
  }

  /** Every formation dyno starts again on `releaseId`; one-off dynos keep running. */
  restartFormation(tx: PrismaTransaction, appId: string, releaseId: string): Promise<number> {
    return tx.dyno
      .updateMany({
        where: { appId, type: { not: ONE_OFF_TYPE } },
        data: { state: 'starting', releaseId },
      })
      .then(({ count }) => count);
  }

  page(appId: string, range: ListRange): Promise<DynoWithRelease[]> {
    const query = rangeQuery(range);
    return this.prisma.dyno.findMany({
      where: { ...query.where, appId },
      orderBy: query.orderBy,
      take: query.take,
      include: RELEASE_REF,
    });
  }

  all(db: PrismaTransaction, appId: string, type?: string): Promise<DynoWithRelease[]> {
    return db.dyno.findMany({
      where: { appId, ...(type ? { type } : {}) },
      orderBy: { name: 'asc' },
      include: RELEASE_REF,
    });
  }

  /** By name (`web.1`) or id; null when the app has no such dyno. */
  find(db: PrismaTransaction, appId: string, idOrName: string): Promise<DynoWithRelease | null> {
    return db.dyno.findFirst({
      where: { appId, ...(isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { name: idOrName }) },
      include: RELEASE_REF,
    });
  }

  createOneOff(
    tx: PrismaTransaction,
    dyno: {
      appId: string;
      name: string;
      command: string;
      size: string;
      env: string | null;
      releaseId: string | null;
    },
  ): Promise<DynoWithRelease> {
    return tx.dyno.create({
      data: { ...dyno, type: ONE_OFF_TYPE, state: 'starting', attach: false },
      include: RELEASE_REF,
    });
  }

  remove(tx: PrismaTransaction, ids: string[]): Promise<void> {
    if (!ids.length) return Promise.resolve();
    return tx.dyno.deleteMany({ where: { id: { in: ids } } }).then(() => undefined);
  }

  setState(tx: PrismaTransaction, ids: string[], state: string): Promise<void> {
    if (!ids.length) return Promise.resolve();
    return tx.dyno
      .updateMany({ where: { id: { in: ids } }, data: { state } })
      .then(() => undefined);
  }

  report(
    tx: PrismaTransaction,
    id: string,
    report: { state: string; address: string | null },
  ): Promise<DynoWithRelease> {
    return tx.dyno.update({ where: { id }, data: report, include: RELEASE_REF });
  }
}

/** 3 for `web.3`; 0 for a name without a number. */
function dynoNumber(name: string): number {
  const match = /\.(\d+)$/.exec(name);
  return match ? Number(match[1]) : 0;
}
