import { Injectable } from '@nestjs/common';
import { AppAccessService, AppWithRelations } from '../apps/app-access.service.js';
import type { Principal } from '../common/auth/principal.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidParamsError,
  NotFoundError,
} from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { Page, rangeQuery, RangeField, toPage } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { recordEvent } from '../events/event-log.js';
import { ReleasesService } from '../releases/releases.service.js';
import { defaultSize, resolveSize } from '../formations/formation-rules.js';
import {
  DynoCreateDto,
  DynoResponseDto,
  DynoStateReportDto,
  DynoWithRelease,
  ManagedDynoDto,
  toDynoResponse,
} from './dynos.dto.js';

export const DYNO_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'name', column: 'name', type: 'string' },
  { name: 'id', column: 'id', type: 'uuid' },
];

/** One-off dynos are `run.N`; the formation's are `<type>.<N>`. */
export const ONE_OFF_TYPE = 'run';

const RELEASE_REF = { release: { select: { id: true, version: true } } } as const;

/** What a formation entry asks for; its dynos are made to match. */
export interface FormationTarget {
  type: string;
  quantity: number;
  size: string;
  command: string;
}

@Injectable()
export class DynosService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccessService,
    private readonly secrets: SecretBox,
    private readonly releases: ReleasesService,
  ) {}

  /**
   * Makes the dyno records of one process type follow its formation: `type.1` to
   * `type.N` exist, higher numbers are gone, and a size or command change restarts them.
   * Runs inside the caller's transaction, under the app lock.
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

  /**
   * A new release restarts the formation, as on Heroku: every formation dyno starts again
   * on it (so its manager picks up the new config). One-off dynos keep running.
   */
  async restartOnRelease(tx: PrismaTransaction, appId: string, releaseId: string): Promise<void> {
    await tx.dyno.updateMany({
      where: { appId, type: { not: ONE_OFF_TYPE } },
      data: { state: 'starting', releaseId },
    });
  }

  async list(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<DynoResponseDto>> {
    const app = await this.access.find(principal, idOrName);
    const query = rangeQuery(range);
    const rows = await this.prisma.dyno.findMany({
      where: { ...query.where, appId: app.id },
      orderBy: query.orderBy,
      take: query.take,
      include: RELEASE_REF,
    });
    return toPage(rows, range, (row) => toDynoResponse(row, app));
  }

  async info(
    principal: Principal,
    idOrName: string,
    dynoIdOrName: string,
  ): Promise<DynoResponseDto> {
    const app = await this.access.find(principal, idOrName);
    return toDynoResponse(await this.findDyno(this.prisma, app, dynoIdOrName), app);
  }

  /** `heroku run:detached`: a one-off dyno, allowed whatever the maintenance mode. */
  async createOneOff(
    principal: Principal,
    idOrName: string,
    input: DynoCreateDto,
  ): Promise<DynoResponseDto> {
    const env = input.env ?? {};
    for (const [key, value] of Object.entries(env)) {
      if (!/^\w{1,255}$/.test(key) || typeof value !== 'string') {
        throw new InvalidParamsError(
          `env: ${key} must be a name of letters, digits and underscores with a string value.`,
        );
      }
    }
    return this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName);
      const size = input.size ? resolveSize(input.size, app) : defaultSize(app);
      const { oneOffCount } = await tx.app.update({
        where: { id: app.id },
        data: { oneOffCount: { increment: 1 } },
        select: { oneOffCount: true },
      });
      const dyno = await tx.dyno.create({
        data: {
          appId: app.id,
          name: `${ONE_OFF_TYPE}.${oneOffCount}`,
          type: ONE_OFF_TYPE,
          command: input.command,
          size: size.name,
          state: 'starting',
          attach: false,
          env: Object.keys(env).length ? this.secrets.encrypt(JSON.stringify(env)) : null,
          releaseId: await this.releases.latestId(tx, app.id),
        },
        include: RELEASE_REF,
      });
      // The command is recorded; env is not, as it may carry secrets.
      await recordEvent(tx, {
        action: 'dyno.create',
        appId: app.id,
        appName: app.name,
        actorId: principal.accountId,
        data: { name: dyno.name, command: dyno.command, size: dyno.size },
      });
      return toDynoResponse(dyno, app);
    });
  }

  /** Restart: formation dynos start again; a one-off dyno, like on Heroku, is stopped for good. */
  async restart(principal: Principal, idOrName: string, selector: DynoSelector): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName);
      const dynos = await this.select(tx, app, selector);
      const oneOffs = dynos.filter((d) => d.type === ONE_OFF_TYPE).map((d) => d.id);
      const formation = dynos.filter((d) => d.type !== ONE_OFF_TYPE).map((d) => d.id);
      if (oneOffs.length) await tx.dyno.deleteMany({ where: { id: { in: oneOffs } } });
      if (formation.length)
        await tx.dyno.updateMany({ where: { id: { in: formation } }, data: { state: 'starting' } });
      await recordEvent(tx, {
        action: 'dyno.restart',
        appId: app.id,
        appName: app.name,
        actorId: principal.accountId,
        data: { dynos: dynos.map((d) => d.name) },
      });
    });
  }

  /** Stop: a one-off dyno ends and is gone; a formation dyno goes down until its manager starts it again. */
  async stop(
    principal: Principal,
    idOrName: string,
    selector: Exclude<DynoSelector, { all: true }>,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName);
      const dynos = await this.select(tx, app, selector);
      const running = dynos.filter((d) => d.state !== 'down');
      if (!running.length) {
        throw new ConflictError(
          `${dynos.map((d) => d.name).join(', ')} ${dynos.length > 1 ? 'are' : 'is'} already stopped.`,
        );
      }
      const oneOffs = running.filter((d) => d.type === ONE_OFF_TYPE).map((d) => d.id);
      const formation = running.filter((d) => d.type !== ONE_OFF_TYPE).map((d) => d.id);
      if (oneOffs.length) await tx.dyno.deleteMany({ where: { id: { in: oneOffs } } });
      if (formation.length)
        await tx.dyno.updateMany({ where: { id: { in: formation } }, data: { state: 'down' } });
      await recordEvent(tx, {
        action: 'dyno.stop',
        appId: app.id,
        appName: app.name,
        actorId: principal.accountId,
        data: { dynos: running.map((d) => d.name) },
      });
    });
  }

  async listForManager(principal: Principal, idOrName: string): Promise<ManagedDynoDto[]> {
    this.requireManager(principal);
    const app = await this.access.find(principal, idOrName);
    const dynos = await this.prisma.dyno.findMany({
      where: { appId: app.id },
      orderBy: { name: 'asc' },
      include: RELEASE_REF,
    });
    return dynos.map((dyno) => ({
      ...toDynoResponse(dyno, app),
      address: dyno.address,
      env: dyno.env ? (JSON.parse(this.secrets.decrypt(dyno.env)) as Record<string, string>) : {},
    }));
  }

  /** A dyno manager reports what a dyno is doing and, for web dynos, where it listens. */
  async report(
    principal: Principal,
    idOrName: string,
    dynoIdOrName: string,
    report: DynoStateReportDto,
  ): Promise<DynoResponseDto> {
    this.requireManager(principal);
    return this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName);
      const dyno = await this.findDyno(tx, app, dynoIdOrName);
      const address = report.address === undefined ? dyno.address : report.address;
      const updated = await tx.dyno.update({
        where: { id: dyno.id },
        data: { state: report.state, address },
        include: RELEASE_REF,
      });
      await recordEvent(tx, {
        action: 'dyno.state',
        appId: app.id,
        appName: app.name,
        actorId: principal.accountId,
        data: { name: dyno.name, type: dyno.type, from: dyno.state, state: report.state, address },
      });
      return toDynoResponse(updated, app);
    });
  }

  /** A person's global token passes the route's scope check; only managers and admins may act as one. */
  private requireManager(principal: Principal): void {
    if (!principal.isAdmin && !principal.scopes.includes('dyno-manager')) {
      throw new ForbiddenError(
        'Only dyno managers (dyno-manager scope) and admins may use the dyno manager API.',
      );
    }
  }

  private async select(tx: PrismaTransaction, app: AppWithRelations, selector: DynoSelector) {
    if ('dyno' in selector) return [await this.findDyno(tx, app, selector.dyno)];
    const dynos = await tx.dyno.findMany({
      where: { appId: app.id, ...('type' in selector ? { type: selector.type } : {}) },
      orderBy: { name: 'asc' },
    });
    if (!dynos.length) {
      throw new NotFoundError(
        'type' in selector
          ? `No ${selector.type} dynos on ${app.name}.`
          : `No dynos on ${app.name}.`,
      );
    }
    return dynos;
  }

  private async findDyno(
    tx: PrismaTransaction,
    app: { id: string; name: string },
    dynoIdOrName: string,
  ): Promise<DynoWithRelease> {
    const dyno = await tx.dyno.findFirst({
      where: {
        appId: app.id,
        ...(isUuid(dynoIdOrName) ? { id: dynoIdOrName.toLowerCase() } : { name: dynoIdOrName }),
      },
      include: RELEASE_REF,
    });
    if (!dyno)
      throw new NotFoundError(
        `Couldn't find that dyno: ${dynoIdOrName} is not a dyno of ${app.name}.`,
      );
    return dyno;
  }
}

export type DynoSelector = { all: true } | { type: string } | { dyno: string };

/** 3 for `web.3`; 0 for a name without a number. */
export function dynoNumber(name: string): number {
  const match = /\.(\d+)$/.exec(name);
  return match ? Number(match[1]) : 0;
}
