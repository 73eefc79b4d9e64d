import { Injectable } from '@nestjs/common';
import { AppAccessService } from '../apps/app-access.service.js';
import type { Principal } from '../common/auth/principal.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { Page, rangeQuery, RangeField, toPage } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { recordEvent } from '../events/event-log.js';
import { ReleaseResponseDto, ReleaseWithUser, toReleaseResponse } from './releases.dto.js';

export const RELEASE_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'version', column: 'version', type: 'integer' },
];

const RELEASE_INCLUDE = { user: true, app: { select: { id: true, name: true } } } as const;

export interface NewRelease {
  description: string;
  actorId: string;
  /** Every config var of the app at this release, in the clear; stored encrypted. */
  configVars: Record<string, string>;
}

@Injectable()
export class ReleasesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccessService,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Adds release v(N+1). The caller holds the app's row lock (AppAccessService.lock), so
   * versions stay unique and gap-free however many writers race.
   */
  async create(
    tx: PrismaTransaction,
    app: { id: string; name: string },
    release: NewRelease,
  ): Promise<{ id: string; version: number }> {
    const latest = await tx.release.aggregate({
      where: { appId: app.id },
      _max: { version: true },
    });
    const version = (latest._max.version ?? 0) + 1;
    const created = await tx.release.create({
      data: {
        appId: app.id,
        version,
        description: release.description,
        userId: release.actorId,
        configVars: this.secrets.encrypt(JSON.stringify(release.configVars)),
      },
      select: { id: true },
    });
    await recordEvent(tx, {
      action: 'release.create',
      appId: app.id,
      appName: app.name,
      actorId: release.actorId,
      data: { version, description: release.description },
    });
    return { id: created.id, version };
  }

  /** The newest release's id, which new dynos run. */
  async latestId(tx: PrismaTransaction, appId: string): Promise<string | null> {
    const latest = await tx.release.findFirst({
      where: { appId },
      orderBy: { version: 'desc' },
      select: { id: true },
    });
    return latest?.id ?? null;
  }

  async list(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<ReleaseResponseDto>> {
    const app = await this.access.find(principal, idOrName);
    const query = rangeQuery(range);
    const [rows, current] = await Promise.all([
      this.prisma.release.findMany({
        where: { ...query.where, appId: app.id },
        orderBy: query.orderBy,
        take: query.take,
        include: RELEASE_INCLUDE,
      }),
      this.currentVersion(app.id),
    ]);
    return toPage(rows, range, (row) => toReleaseResponse(row, current));
  }

  async info(
    principal: Principal,
    idOrName: string,
    idOrVersion: string,
  ): Promise<ReleaseResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const [release, current] = await Promise.all([
      this.find(app.id, idOrVersion),
      this.currentVersion(app.id),
    ]);
    return toReleaseResponse(release, current);
  }

  /** The config vars as they were at a release. */
  async configVars(
    principal: Principal,
    idOrName: string,
    idOrVersion: string,
  ): Promise<Record<string, string>> {
    const app = await this.access.find(principal, idOrName);
    const release = await this.find(app.id, idOrVersion);
    return JSON.parse(this.secrets.decrypt(release.configVars)) as Record<string, string>;
  }

  private async find(appId: string, idOrVersion: string): Promise<ReleaseWithUser> {
    const version = /^v?\d{1,9}$/i.test(idOrVersion)
      ? Number(idOrVersion.replace(/^v/i, ''))
      : undefined;
    const release =
      version !== undefined
        ? await this.prisma.release.findUnique({
            where: { appId_version: { appId, version } },
            include: RELEASE_INCLUDE,
          })
        : isUuid(idOrVersion)
          ? await this.prisma.release.findFirst({
              where: { appId, id: idOrVersion.toLowerCase() },
              include: RELEASE_INCLUDE,
            })
          : null;
    if (!release) throw new NotFoundError("Couldn't find that release.");
    return release;
  }

  private async currentVersion(appId: string): Promise<number> {
    const latest = await this.prisma.release.aggregate({
      where: { appId },
      _max: { version: true },
    });
    return latest._max.version ?? 0;
  }
}
