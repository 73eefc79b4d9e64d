import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/heroku/identity.js';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Dyno, Prisma } from '../generated/prisma/client.js';

/** One-off dynos are `run.N`; the formation's are `<type>.<N>`. */
export const ONE_OFF_TYPE = 'run';

const RELEASE_REF = { release: { select: { id: true, version: true } } } as const;

export type DynoWithRelease = Dyno & { release: { id: string; version: number } | null };

/** What a dyno manager needs besides the dyno: its app, and its release's config and code. */
const MANAGED_INCLUDE = {
  app: { select: { id: true, name: true } },
  release: {
    select: {
      id: true,
      version: true,
      configVars: true,
      slug: { select: { id: true, blob: { select: { sha256: true, completedAt: true } } } },
    },
  },
} as const;

export type ManagedDynoRow = Prisma.DynoGetPayload<{ include: typeof MANAGED_INCLUDE }>;

/** The writes that make a dyno start again: its manager sees a new generation. */
function startAgain(state: 'starting' | 'down'): Prisma.DynoUpdateManyMutationInput {
  return {
    state,
    generation: { increment: 1 },
    stateChangedAt: new Date(),
    exitStatus: null,
    error: null,
  };
}

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
    await this.remove(tx, beyond);
    await tx.dyno.updateMany({
      where: {
        appId,
        type: target.type,
        OR: [{ size: { not: target.size } }, { command: { not: target.command } }],
      },
      data: { size: target.size, command: target.command, releaseId, ...startAgain('starting') },
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
        data: { releaseId, ...startAgain('starting') },
      })
      .then(({ count }) => count);
  }

  /**
   * Formation dynos to start again (`starting`, a restart) or to stop and be started
   * again by their manager (`down`, Heroku's ps:stop of a formation dyno).
   */
  startAgain(tx: PrismaTransaction, ids: string[], state: 'starting' | 'down'): Promise<void> {
    if (!ids.length) return Promise.resolve();
    return tx.dyno
      .updateMany({ where: { id: { in: ids } }, data: startAgain(state) })
      .then(() => undefined);
  }

  /** Every dyno of every app, or of one, with what its manager needs to run it. */
  managed(appId?: string): Promise<ManagedDynoRow[]> {
    return this.prisma.dyno.findMany({
      where: appId ? { appId } : {},
      orderBy: [{ appId: 'asc' }, { name: 'asc' }],
      include: MANAGED_INCLUDE,
    });
  }

  findManaged(db: PrismaTransaction, id: string): Promise<ManagedDynoRow | null> {
    return db.dyno.findUnique({ where: { id }, include: MANAGED_INCLUDE });
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
      attach: { secretHash: string; expiresAt: Date; tty: boolean } | null;
    },
  ): Promise<DynoWithRelease> {
    const { attach, ...fields } = dyno;
    return tx.dyno.create({
      data: {
        ...fields,
        type: ONE_OFF_TYPE,
        state: 'starting',
        attach: attach !== null,
        tty: attach?.tty ?? false,
        attachSecretHash: attach?.secretHash ?? null,
        attachExpiresAt: attach?.expiresAt ?? null,
      },
      include: RELEASE_REF,
    });
  }

  /** Deletes dynos; whatever of them was up stops counting as usage now. */
  async remove(tx: PrismaTransaction, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.endSessions(tx, ids, new Date());
    await tx.dyno.deleteMany({ where: { id: { in: ids } } });
  }

  /**
   * Records what a manager saw, and the dyno's usage with it: `up` opens a session, any
   * other state ends the open one. The caller holds the app's lock.
   */
  async report(
    tx: PrismaTransaction,
    dyno: Dyno,
    report: {
      state: string;
      address: string | null;
      exitStatus: number | null;
      error: string | null;
      attached: boolean;
    },
  ): Promise<ManagedDynoRow> {
    const now = new Date();
    if (report.state === 'up' && dyno.state !== 'up') {
      await tx.dynoSession.create({
        data: {
          appId: dyno.appId,
          dynoId: dyno.id,
          dynoName: dyno.name,
          type: dyno.type,
          size: dyno.size,
          startedAt: now,
        },
      });
    } else if (report.state !== 'up') {
      await this.endSessions(tx, [dyno.id], now);
    }
    return tx.dyno.update({
      where: { id: dyno.id },
      data: {
        state: report.state,
        address: report.address,
        exitStatus: report.exitStatus,
        error: report.error,
        ...(report.state !== dyno.state ? { stateChangedAt: now } : {}),
        // An attached dyno that started has used its single-use secret.
        ...(report.attached ? { attachSecretHash: null, attachExpiresAt: null } : {}),
      },
      include: MANAGED_INCLUDE,
    });
  }

  private endSessions(tx: PrismaTransaction, dynoIds: string[], at: Date): Promise<unknown> {
    return tx.dynoSession.updateMany({
      where: { dynoId: { in: dynoIds }, endedAt: null },
      data: { endedAt: at },
    });
  }
}

/** 3 for `web.3`; 0 for a name without a number. */
function dynoNumber(name: string): number {
  const match = /\.(\d+)$/.exec(name);
  return match ? Number(match[1]) : 0;
}
