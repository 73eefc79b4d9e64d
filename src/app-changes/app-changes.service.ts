import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { FrozenError, NotFoundError } from '../common/errors/api-errors.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { ChangeAction, ChangePayload } from '../events/change-event.js';
import { recordEvent } from '../events/event-log.js';
import { AppRepository, AppWithRelations } from '../store/app.repository.js';
import { ConfigVarRepository } from '../store/config-var.repository.js';
import { DynoRepository } from '../store/dyno.repository.js';
import { FormationRepository } from '../store/formation.repository.js';
import { releaseOnSlugStack, buildStackOf } from '../common/heroku/stack-rules.js';
import { ReleaseRepository } from '../store/release.repository.js';
import { SlugRepository } from '../store/slug.repository.js';
import { AppAccess, type AppAccessOptions } from './app-access.service.js';

export interface ReleaseCut {
  id: string;
  version: number;
}

/**
 * One change to one app, inside its transaction and under its row lock: what a change
 * may do besides its own writes is record typed events and cut a release.
 */
export class AppChange {
  constructor(
    readonly tx: PrismaTransaction,
    /** The app as locked; a rename updates it, so later events carry the new name. */
    public app: AppWithRelations,
    readonly actorId: string,
    private readonly cut: (change: AppChange, release: ReleaseRequest) => Promise<ReleaseCut>,
  ) {}

  /** Records a change event of this app, in this transaction; returns its version. */
  record<A extends ChangeAction>(action: A, data: ChangePayload<A>): Promise<number> {
    return recordEvent(this.tx, {
      action,
      appId: this.app.id,
      appName: this.app.name,
      actorId: this.actorId,
      data,
    } as Parameters<typeof recordEvent>[1]);
  }

  /**
   * Cuts release v(N+1) with the app's config vars and process types as they now are in
   * this transaction (and the previous release's slug, unless it names one), records it,
   * and restarts every formation dyno on it, as Heroku does. Call it after the change's
   * own writes.
   */
  release(release: ReleaseRequest): Promise<ReleaseCut> {
    return this.cut(this, release);
  }
}

export interface ReleaseRequest {
  description: string;
  /** For a rollback: the version whose config and process types this release restores. */
  rollbackOf?: number;
  /**
   * The app's config vars as the change left them, when it holds them already: the
   * release then need not read and open every value again.
   */
  configVars?: Record<string, string>;
  /**
   * The slug it runs: a deploy names one, a rollback its target's (null for none). Left
   * out, the release runs the code the previous one ran: new config is not new code.
   */
  slugId?: string | null;
}

/**
 * The write path of every change to an app: lock the app's row (so concurrent writers to
 * one app take turns and none loses an update or a release version), apply the change,
 * cut the release when the change deserves one (restarting every dyno on it), and record
 * typed events, all in one transaction. Maintenance switches take a one-statement path of
 * their own (MaintenanceRepository.set) that does the same in SQL.
 */
@Injectable()
export class AppChanges {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccess,
    private readonly apps: AppRepository,
    private readonly releases: ReleaseRepository,
    private readonly configVars: ConfigVarRepository,
    private readonly formations: FormationRepository,
    private readonly dynos: DynoRepository,
    private readonly slugs: SlugRepository,
  ) {}

  /**
   * Runs `work` on the principal's app `idOrName`, locked, in one transaction; `access` says
   * when the change is for the owner only (AppAccess).
   */
  apply<T>(
    principal: Principal,
    idOrName: string,
    work: (change: AppChange) => Promise<T>,
    access: AppAccessOptions = {},
  ): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      const app = await this.access.lock(tx, principal, idOrName, access);
      return work(new AppChange(tx, app, principal.accountId, this.cutRelease));
    });
  }

  /**
   * Runs `work` on the app `appId`, locked, in one transaction, as `actorOf(app)`, for the
   * platform's own changes (a maintenance window starting) rather than a request's: no
   * access check. Undefined, and nothing done, when the app is gone.
   */
  applyAs<T>(
    appId: string,
    actorOf: (app: AppWithRelations) => string,
    work: (change: AppChange) => Promise<T>,
  ): Promise<T | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const app = await this.apps.fetch(tx, { id: appId }, true);
      if (!app) return undefined;
      return work(new AppChange(tx, app, actorOf(app), this.cutRelease));
    });
  }

  /**
   * Creates an app in one transaction: its row and `app.create` event, then `prepare` (its
   * process types, say), then release v1 of what that made. A name already taken fails
   * with the unique violation, for the caller to turn into 422 or another name.
   */
  create(
    principal: Principal,
    app: {
      name: string;
      spaceId?: string;
      spaceName: string | null;
      region: string;
      stack: string;
    },
    prepare: (change: AppChange) => Promise<void>,
  ): Promise<AppWithRelations> {
    return this.prisma.$transaction(async (tx) => {
      const { id } = await this.apps.create(tx, {
        name: app.name,
        ownerId: principal.accountId,
        spaceId: app.spaceId,
        region: app.region,
        stack: app.stack,
      });
      const created = await this.reread(tx, id);
      const change = new AppChange(tx, created, principal.accountId, this.cutRelease);
      await change.record('app.create', { space: app.spaceName });
      await prepare(change);
      await change.release({ description: 'Initial release' });
      return this.reread(tx, id);
    });
  }

  /** The app as it now is inside the change's transaction, after its own writes. */
  async reread(tx: PrismaTransaction, appId: string): Promise<AppWithRelations> {
    const app = await this.apps.fetch(tx, { id: appId });
    if (!app) throw new NotFoundError("Couldn't find that app.");
    return app;
  }

  /** The newest release of the app, which dynos created by a change run. */
  latestReleaseId(change: AppChange): Promise<string | null> {
    return this.releases.latestId(change.tx, change.app.id);
  }

  private readonly cutRelease = async (
    change: AppChange,
    request: ReleaseRequest,
  ): Promise<ReleaseCut> => {
    const { tx, app } = change;
    if (app.maintenanceFrozen) throw frozen(app.name);
    // One after the other: a transaction is one connection.
    const configVars = request.configVars ?? (await this.configVars.current(tx, app.id));
    const processTypes = await this.formations.processTypes(tx, app.id);
    const slugId =
      request.slugId === undefined ? await this.releases.latestSlugId(tx, app.id) : request.slugId;
    const release = await this.releases.create(tx, app.id, {
      description: request.description,
      actorId: change.actorId,
      configVars,
      processTypes,
      rollbackOf: request.rollbackOf ?? null,
      slugId,
    });
    await change.record('release.create', {
      version: release.version,
      description: request.description,
      rollback_of: request.rollbackOf ?? null,
    });
    if (request.slugId) await this.moveToSlugStack(change, request.slugId);
    await this.dynos.restartFormation(tx, app.id, release.id);
    return release;
  };

  /**
   * A release naming a slug (a deploy, a rollback) puts the app on the slug's stack: the
   * stack an app shows is the one its code was made for, and a pending build stack is done.
   */
  private async moveToSlugStack(change: AppChange, slugId: string): Promise<void> {
    const { tx, app } = change;
    const slugStack = await this.slugs.stackOf(tx, slugId);
    if (slugStack === null) return;
    const next = releaseOnSlugStack(app, slugStack);
    if (next.stack === app.stack && next.buildStack === app.buildStack) return;
    await this.apps.setStacks(tx, app.id, next);
    await change.record('app.stack', {
      stack: { from: app.stack, to: next.stack },
      build_stack: { from: buildStackOf(app), to: buildStackOf(next) },
    });
    change.app = { ...app, ...next };
  }
}

/**
 * A frozen app takes no new release: config vars, process types, deploys and rollbacks
 * wait; scaling, restarts and one-off dynos go on.
 */
function frozen(appName: string): FrozenError {
  return new FrozenError(
    `${appName} is frozen for maintenance: config var changes, process type changes, releases and rollbacks ` +
      `are refused until it is unfrozen. Unfreeze it with PATCH /apps/${appName}/maintenance {"freeze": false}, ` +
      `or turn maintenance off (heroku maintenance:off -a ${appName}).`,
  );
}
