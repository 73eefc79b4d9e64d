import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidParamsError,
  NotFoundError,
} from '../common/errors/api-errors.js';
import { Page, RangeField, toPage } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { defaultSize, resolveSize } from '../dyno-sizes/dyno-size-rules.js';
import { AppRepository, AppWithRelations } from '../store/app.repository.js';
import { DynoRepository, DynoWithRelease, ONE_OFF_TYPE } from '../store/dyno.repository.js';
import {
  DynoCreateDto,
  DynoResponseDto,
  DynoStateReportDto,
  ManagedDynoDto,
  toDynoResponse,
} from './dynos.dto.js';

export const DYNO_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'name', column: 'name', type: 'string' },
  { name: 'id', column: 'id', type: 'uuid' },
];

/** Dynos: the formation's follow it; one-off dynos run, restart, stop; managers report. */
@Injectable()
export class DynosService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly apps: AppRepository,
    private readonly dynos: DynoRepository,
    private readonly secrets: SecretBox,
  ) {}

  async list(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<DynoResponseDto>> {
    const app = await this.access.find(principal, idOrName);
    return toPage(await this.dynos.page(app.id, range), range, (row) => toDynoResponse(row, app));
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
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const size = input.size ? resolveSize(input.size, app) : defaultSize(app);
      const dyno = await this.dynos.createOneOff(tx, {
        appId: app.id,
        name: `${ONE_OFF_TYPE}.${await this.apps.nextOneOffNumber(tx, app.id)}`,
        command: input.command,
        size: size.name,
        env: Object.keys(env).length ? this.secrets.encrypt(JSON.stringify(env)) : null,
        releaseId: await this.changes.latestReleaseId(change),
      });
      // The command is recorded; env is not, as it may carry secrets.
      await change.record('dyno.create', {
        name: dyno.name,
        command: dyno.command,
        size: dyno.size,
      });
      return toDynoResponse(dyno, app);
    });
  }

  /** Restart: formation dynos start again; a one-off dyno, like on Heroku, is stopped for good. */
  async restart(principal: Principal, idOrName: string, selector: DynoSelector): Promise<void> {
    await this.changes.apply(principal, idOrName, async (change) => {
      const dynos = await this.select(change.tx, change.app, selector);
      await this.dynos.remove(change.tx, idsOf(dynos, true));
      await this.dynos.setState(change.tx, idsOf(dynos, false), 'starting');
      await change.record('dyno.restart', { dynos: dynos.map((d) => d.name) });
    });
  }

  /** Stop: a one-off dyno ends and is gone; a formation dyno goes down until its manager starts it again. */
  async stop(
    principal: Principal,
    idOrName: string,
    selector: Exclude<DynoSelector, { all: true }>,
  ): Promise<void> {
    await this.changes.apply(principal, idOrName, async (change) => {
      const dynos = await this.select(change.tx, change.app, selector);
      const running = dynos.filter((d) => d.state !== 'down');
      if (!running.length) {
        throw new ConflictError(
          `${dynos.map((d) => d.name).join(', ')} ${dynos.length > 1 ? 'are' : 'is'} already stopped.`,
        );
      }
      await this.dynos.remove(change.tx, idsOf(running, true));
      await this.dynos.setState(change.tx, idsOf(running, false), 'down');
      await change.record('dyno.stop', { dynos: running.map((d) => d.name) });
    });
  }

  async listForManager(principal: Principal, idOrName: string): Promise<ManagedDynoDto[]> {
    this.requireManager(principal);
    const app = await this.access.find(principal, idOrName);
    const dynos = await this.dynos.all(this.prisma, app.id);
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
    return this.changes.apply(principal, idOrName, async (change) => {
      const dyno = await this.findDyno(change.tx, change.app, dynoIdOrName);
      const address = report.address === undefined ? dyno.address : report.address;
      const updated = await this.dynos.report(change.tx, dyno.id, { state: report.state, address });
      await change.record('dyno.state', {
        name: dyno.name,
        type: dyno.type,
        from: dyno.state,
        state: report.state,
        address,
      });
      return toDynoResponse(updated, change.app);
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

  private async select(
    tx: PrismaTransaction,
    app: AppWithRelations,
    selector: DynoSelector,
  ): Promise<DynoWithRelease[]> {
    if ('dyno' in selector) return [await this.findDyno(tx, app, selector.dyno)];
    const dynos = await this.dynos.all(tx, app.id, 'type' in selector ? selector.type : undefined);
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
    db: PrismaTransaction,
    app: { id: string; name: string },
    dynoIdOrName: string,
  ): Promise<DynoWithRelease> {
    const dyno = await this.dynos.find(db, app.id, dynoIdOrName);
    if (!dyno)
      throw new NotFoundError(
        `Couldn't find that dyno: ${dynoIdOrName} is not a dyno of ${app.name}.`,
      );
    return dyno;
  }
}

export type DynoSelector = { all: true } | { type: string } | { dyno: string };

/** The ids of the one-off dynos among `dynos`, or of the formation's. */
function idsOf(dynos: DynoWithRelease[], oneOff: boolean): string[] {
  return dynos.filter((d) => (d.type === ONE_OFF_TYPE) === oneOff).map((d) => d.id);
}
