import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import { PrismaTransaction } from '../database/prisma.service.js';
import { FormationsService } from '../formations/formations.service.js';
import { sameProcessTypes } from '../formations/process-types.js';
import { ConfigVarRepository } from '../store/config-var.repository.js';
import { FormationRepository } from '../store/formation.repository.js';
import { ReleaseRepository, ReleaseWithUser } from '../store/release.repository.js';
import { SlugRepository } from '../store/slug.repository.js';
import { ReleaseCreateDto, ReleaseResponseDto, toReleaseResponse } from './releases.dto.js';

export const RELEASE_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'version', column: 'version', type: 'integer' },
];

/**
 * Heroku's releases: every config or process type change is one, a deploy of a slug is
 * one, a rollback makes another.
 */
@Injectable()
export class ReleasesService {
  constructor(
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly releases: ReleaseRepository,
    private readonly vars: ConfigVarRepository,
    private readonly formations: FormationRepository,
    private readonly processTypes: FormationsService,
    private readonly slugs: SlugRepository,
  ) {}

  async list(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<ReleaseResponseDto>> {
    const app = await this.access.find(principal, idOrName);
    const rows = await this.releases.page(app.id, range);
    const current = await this.releases.currentVersion(app.id);
    return toPage(rows, range, (row) => toReleaseResponse(row, current));
  }

  async info(
    principal: Principal,
    idOrName: string,
    idOrVersion: string,
  ): Promise<ReleaseResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const release = await this.find(app.id, idOrVersion);
    return toReleaseResponse(release, await this.releases.currentVersion(app.id));
  }

  /** The config vars as they were at a release. */
  async configVars(
    principal: Principal,
    idOrName: string,
    idOrVersion: string,
  ): Promise<Record<string, string>> {
    const app = await this.access.find(principal, idOrName);
    return this.releases.configVarsOf(await this.find(app.id, idOrVersion));
  }

  /** POST /apps/{app}/releases: a release of `slug`, or a rollback to `release`. */
  create(
    principal: Principal,
    idOrName: string,
    input: ReleaseCreateDto,
  ): Promise<ReleaseResponseDto> {
    if ((input.slug === undefined) === (input.release === undefined)) {
      throw new InvalidParamsError(
        'Give either slug (the slug to release) or release (the release to roll back to).',
      );
    }
    if (input.slug !== undefined)
      return this.deploy(principal, idOrName, input.slug, input.description);
    if (input.description !== undefined && input.description !== null) {
      throw new InvalidParamsError(
        'A rollback is described "Rollback to vN": leave out description.',
      );
    }
    return this.rollback(principal, idOrName, input.release!);
  }

  /**
   * A new release running `slugId` with its process types: the formation is declared from
   * them, as a Procfile change is, and every dyno restarts on the release. Allowed in
   * maintenance mode, as on Heroku.
   */
  deploy(
    principal: Principal,
    idOrName: string,
    slugId: string,
    description: string | null | undefined,
  ): Promise<ReleaseResponseDto> {
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const slug = await this.slugs.findForApp(app.id, slugId, tx);
      if (!slug) throw new NotFoundError("Couldn't find that slug.");
      if (!slug.blob.completedAt) {
        throw new InvalidParamsError(
          `The slug ${slug.id} has no archive yet: PUT it to the slug's blob URL first.`,
        );
      }
      const processTypes = slug.processTypes as Record<string, string>;
      if (!sameProcessTypes(await this.formations.processTypes(tx, app.id), processTypes)) {
        await this.processTypes.declare(change, processTypes);
      }
      const { version } = await change.release({
        description: description ?? (slug.commit ? `Deploy ${slug.commit.slice(0, 7)}` : 'Deploy'),
        slugId: slug.id,
      });
      return toReleaseResponse((await this.find(app.id, String(version), tx))!, version);
    });
  }

  /**
   * A new release with the config vars, process types and slug of `idOrVersion`, described
   * "Rollback to vN", restarting every dyno, as `heroku releases:rollback` does on Heroku.
   */
  rollback(
    principal: Principal,
    idOrName: string,
    idOrVersion: string,
  ): Promise<ReleaseResponseDto> {
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const target = await this.find(app.id, idOrVersion, tx);
      if (target.processTypes === null) {
        throw new InvalidParamsError(
          `v${target.version} cannot be rolled back to: drydock did not yet keep the process types of releases made before it.`,
        );
      }
      const configVars = this.releases.configVarsOf(target);
      const current = await this.vars.current(tx, app.id);
      const removed = Object.keys(current).filter((key) => !(key in configVars));
      const set = Object.keys(configVars).filter((key) => current[key] !== configVars[key]);
      if (set.length || removed.length) {
        await this.vars.write(
          tx,
          app.id,
          Object.fromEntries(set.map((key) => [key, configVars[key]])),
          removed,
        );
        await change.record('config.update', { set, removed });
      }
      const processTypes = target.processTypes as Record<string, string>;
      if (!sameProcessTypes(await this.formations.processTypes(tx, app.id), processTypes)) {
        await this.processTypes.declare(change, processTypes);
      }
      const { version } = await change.release({
        description: `Rollback to v${target.version}`,
        rollbackOf: target.version,
        configVars,
        slugId: target.slugId,
      });
      return toReleaseResponse((await this.find(app.id, String(version), tx))!, version);
    });
  }

  private async find(
    appId: string,
    idOrVersion: string,
    db?: PrismaTransaction,
  ): Promise<ReleaseWithUser> {
    const release = await this.releases.find(appId, idOrVersion, db);
    if (!release) throw new NotFoundError("Couldn't find that release.");
    return release;
  }
}
