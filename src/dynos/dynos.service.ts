import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { Page, RangeField, toPage } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { defaultSize, resolveSize } from '../dyno-sizes/dyno-size-rules.js';
import { AppRepository, AppWithRelations } from '../store/app.repository.js';
import { DynoManagerRepository } from '../store/dyno-manager.repository.js';
import { DynoRepository, DynoWithRelease, ONE_OFF_TYPE } from '../store/dyno.repository.js';
import { DynoCreateDto, DynoResponseDto, toDynoResponse } from './dynos.dto.js';
import { oneOffEnv, wantsTerminal } from './one-off-env.js';

/** A `heroku run` connects at once; its secret is good for this long, and once. */
export const ATTACH_SECRET_TTL_MS = 2 * 60_000;
/** A manager heard of within this long may take attachments (it beats every 15 s). */
export const MANAGER_LIVENESS_MS = 60_000;

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
    private readonly managers: DynoManagerRepository,
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

  /**
   * `heroku run:detached` and `heroku run`: a one-off dyno, allowed whatever the
   * maintenance mode. An attached one answers with the rendezvous URL of a live dyno
   * manager and a single-use secret, of which only the hash is kept.
   */
  async createOneOff(
    principal: Principal,
    idOrName: string,
    input: DynoCreateDto,
  ): Promise<DynoResponseDto> {
    const env = oneOffEnv(input.env);
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      // After the access check: only those who may run dynos learn whether a manager lives.
      const attach = input.attach ? await this.rendezvousFor() : null;
      const size = input.size ? resolveSize(input.size, app) : defaultSize(app);
      const secret = attach ? randomBytes(32).toString('base64url') : null;
      const dyno = await this.dynos.createOneOff(tx, {
        appId: app.id,
        name: `${ONE_OFF_TYPE}.${await this.apps.nextOneOffNumber(tx, app.id)}`,
        command: input.command,
        size: size.name,
        env: Object.keys(env).length ? this.secrets.encrypt(JSON.stringify(env)) : null,
        releaseId: await this.changes.latestReleaseId(change),
        attach: secret
          ? {
              secretHash: createHash('sha256').update(secret).digest('hex'),
              expiresAt: new Date(Date.now() + ATTACH_SECRET_TTL_MS),
              tty: wantsTerminal(env, input.force_no_tty ?? false),
            }
          : null,
      });
      // The command is recorded; env is not, as it may carry secrets.
      await change.record('dyno.create', {
        name: dyno.name,
        command: dyno.command,
        size: dyno.size,
      });
      return toDynoResponse(dyno, app, secret ? `rendezvous://${attach}/${secret}` : null);
    });
  }

  /** Where `heroku run` attaches: the rendezvous of the dyno manager heard of last. */
  private async rendezvousFor(): Promise<string> {
    const rendezvous = await this.managers.liveRendezvous(MANAGER_LIVENESS_MS);
    if (!rendezvous) {
      throw new ServiceUnavailableError(
        'No dyno manager is running to attach to: start one (npm run dyno-manager), or use heroku run:detached.',
        15,
      );
    }
    return rendezvous;
  }

  /** Restart: formation dynos start again; a one-off dyno, like on Heroku, is stopped for good. */
  async restart(principal: Principal, idOrName: string, selector: DynoSelector): Promise<void> {
    await this.changes.apply(principal, idOrName, async (change) => {
      const dynos = await this.select(change.tx, change.app, selector);
      await this.dynos.remove(change.tx, idsOf(dynos, true));
      await this.dynos.startAgain(change.tx, idsOf(dynos, false), 'starting');
      await change.record('dyno.restart', { dynos: dynos.map((d) => d.name) });
    });
  }

  /**
   * Stop (and `ps:kill`): a one-off dyno ends and is gone; a formation dyno's process is
   * stopped and, as on Heroku, its manager starts it again.
   */
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
      await this.dynos.startAgain(change.tx, idsOf(running, false), 'down');
      await change.record('dyno.stop', { dynos: running.map((d) => d.name) });
    });
  }

  private async select(
    tx: PrismaTransaction,
    app: AppWithRelations,
    selector: DynoSelector,
  ): Promise<DynoWithRelease[]> {
    if ('dyno' in selector) {
      const dyno = await this.dynos.find(tx, app.id, selector.dyno);
      if (dyno) return [dyno];
      // `heroku ps:restart worker`: Heroku takes a process type where a dyno name goes.
      if (!selector.dyno.includes('.') && !isUuid(selector.dyno)) {
        return this.select(tx, app, { type: selector.dyno });
      }
      return [await this.findDyno(tx, app, selector.dyno)];
    }
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
