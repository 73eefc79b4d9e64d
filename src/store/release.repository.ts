import { Injectable } from '@nestjs/common';
import { SecretBox } from '../common/crypto/secret-box.js';
import { isUuid } from '../common/heroku/identity.js';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Account, Blob, Release, Slug } from '../generated/prisma/client.js';

const RELEASE_INCLUDE = { user: true, app: { select: { id: true, name: true } } } as const;

export type ReleaseWithUser = Release & { user: Account | null; app: { id: string; name: string } };

/** The newest release, which the dynos run, with its slug and the slug's archive. */
export type CurrentRelease = Release & { slug: (Slug & { blob: Blob }) | null };

export interface NewRelease {
  description: string;
  actorId: string;
  /** Every config var of the app at this release, in the clear; stored sealed. */
  configVars: Record<string, string>;
  /** The process types it runs. */
  processTypes: Record<string, string>;
  rollbackOf: number | null;
  /** The slug it runs; null for none. */
  slugId: string | null;
}

/** The releases table's queries. */
@Injectable()
export class ReleaseRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Inserts release v(N+1). The caller holds the app's row lock, so versions stay unique
   * and gap-free however many writers race.
   */
  async create(
    tx: PrismaTransaction,
    appId: string,
    release: NewRelease,
  ): Promise<{ id: string; version: number }> {
    const latest = await tx.release.aggregate({ where: { appId }, _max: { version: true } });
    const version = (latest._max.version ?? 0) + 1;
    const { id } = await tx.release.create({
      data: {
        appId,
        version,
        description: release.description,
        userId: release.actorId,
        configVars: this.secrets.encrypt(JSON.stringify(release.configVars)),
        processTypes: release.processTypes,
        rollbackOf: release.rollbackOf,
        slugId: release.slugId,
      },
      select: { id: true },
    });
    return { id, version };
  }

  current(appId: string): Promise<CurrentRelease | null> {
    return this.prisma.release.findFirst({
      where: { appId },
      orderBy: { version: 'desc' },
      include: { slug: { include: { blob: true } } },
    });
  }

  /** The newest release's id, which new dynos run. */
  async latestId(db: PrismaTransaction, appId: string): Promise<string | null> {
    const latest = await db.release.findFirst({
      where: { appId },
      orderBy: { version: 'desc' },
      select: { id: true },
    });
    return latest?.id ?? null;
  }

  /** The slug the newest release runs: what a release that names none keeps running. */
  async latestSlugId(db: PrismaTransaction, appId: string): Promise<string | null> {
    const latest = await db.release.findFirst({
      where: { appId },
      orderBy: { version: 'desc' },
      select: { slugId: true },
    });
    return latest?.slugId ?? null;
  }

  async currentVersion(appId: string): Promise<number> {
    const latest = await this.prisma.release.aggregate({
      where: { appId },
      _max: { version: true },
    });
    return latest._max.version ?? 0;
  }

  page(appId: string, range: ListRange): Promise<ReleaseWithUser[]> {
    const query = rangeQuery(range);
    return this.prisma.release.findMany({
      where: { ...query.where, appId },
      orderBy: query.orderBy,
      take: query.take,
      include: RELEASE_INCLUDE,
    });
  }

  /** By version (`3`, `v3`) or id; null when the app has no such release. */
  find(
    appId: string,
    idOrVersion: string | number,
    db: PrismaTransaction = this.prisma,
  ): Promise<ReleaseWithUser | null> {
    const version =
      typeof idOrVersion === 'number'
        ? idOrVersion
        : /^v?\d{1,9}$/i.test(idOrVersion)
          ? Number(idOrVersion.replace(/^v/i, ''))
          : undefined;
    if (version !== undefined) {
      return db.release.findUnique({
        where: { appId_version: { appId, version } },
        include: RELEASE_INCLUDE,
      });
    }
    if (typeof idOrVersion === 'string' && isUuid(idOrVersion)) {
      return db.release.findFirst({
        where: { appId, id: idOrVersion.toLowerCase() },
        include: RELEASE_INCLUDE,
      });
    }
    return Promise.resolve(null);
  }

  /** The config vars sealed into a release, opened. */
  configVarsOf(release: Pick<Release, 'configVars'>): Record<string, string> {
    return JSON.parse(this.secrets.decrypt(release.configVars)) as Record<string, string>;
  }
}
