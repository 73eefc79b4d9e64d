import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import { isDynoManager, NOT_A_DYNO_MANAGER } from '../common/auth/principal.js';
import type { Principal } from '../common/auth/principal.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/api-errors.js';
import { ChangeFeed } from '../events/change-feed.service.js';
import { WatchHub } from '../routing/watch-hub.service.js';
import { DynoManagerRepository } from '../store/dyno-manager.repository.js';
import { DynoRepository, ManagedDynoRow, ONE_OFF_TYPE } from '../store/dyno.repository.js';
import { ReleaseRepository } from '../store/release.repository.js';
import {
  DynoManagerResponseDto,
  DynoStateReportDto,
  ManagedDynoDto,
  ManagedDynoListDto,
  toDynoResponse,
} from './dynos.dto.js';
import { terminalSize } from './one-off-env.js';

/**
 * The dyno managers' side: what to run (with the environment and code it takes), what
 * they saw, who is alive, and the change stream to follow. See docs/dyno-manager-api.md.
 */
@Injectable()
export class DynoManagerService {
  constructor(
    private readonly changes: AppChanges,
    private readonly access: AppAccess,
    private readonly dynos: DynoRepository,
    private readonly managers: DynoManagerRepository,
    private readonly releases: ReleaseRepository,
    private readonly feed: ChangeFeed,
    private readonly hub: WatchHub,
    private readonly secrets: SecretBox,
  ) {}

  async heartbeat(
    principal: Principal,
    name: string,
    rendezvous: string | null,
  ): Promise<DynoManagerResponseDto> {
    requireManager(principal);
    const manager = await this.managers.heartbeat(name, rendezvous);
    return {
      name: manager.name,
      rendezvous: manager.rendezvous,
      last_seen_at: manager.lastSeenAt.toISOString(),
    };
  }

  /** Every dyno of every app, at a change-stream version to watch from. */
  async listAll(principal: Principal): Promise<ManagedDynoListDto> {
    requireManager(principal);
    await this.feed.caughtUp();
    // Read before the dynos: a change between the two is streamed again, never missed.
    const version = this.feed.version;
    return { version, dynos: this.toManaged(await this.dynos.managed()) };
  }

  async listApp(principal: Principal, idOrName: string): Promise<ManagedDynoDto[]> {
    requireManager(principal);
    const app = await this.access.find(principal, idOrName);
    return this.toManaged(await this.dynos.managed(app.id));
  }

  /**
   * A manager reports what a dyno is doing. A report about an older generation changes
   * nothing (409): the dyno was restarted meanwhile. A one-off dyno whose command ended
   * is finished and leaves; a detached one that crashed stays visible, with its exit
   * status and error, until `ps:stop` clears it.
   */
  report(
    principal: Principal,
    idOrName: string,
    dynoIdOrName: string,
    report: DynoStateReportDto,
  ): Promise<ManagedDynoDto> {
    requireManager(principal);
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const dyno = await this.dynos.find(tx, app.id, dynoIdOrName);
      if (!dyno) {
        throw new NotFoundError(`${dynoIdOrName} is no longer a dyno of ${app.name}: stop it.`);
      }
      if (report.generation !== dyno.generation) {
        throw new ConflictError(
          `${dyno.name} is at generation ${dyno.generation}, this report is about ${report.generation}: list the app's dynos again.`,
        );
      }
      const ended = report.state === 'down' || report.state === 'crashed';
      const address = report.address === undefined ? dyno.address : report.address;
      const exitStatus = ended ? (report.exit_status ?? null) : null;
      const updated = await this.dynos.report(tx, dyno, {
        state: report.state,
        address,
        exitStatus,
        error: report.state === 'crashed' ? (report.error ?? null) : null,
        attached: report.state !== 'starting' && dyno.attachSecretHash !== null,
      });
      await change.record('dyno.state', {
        name: dyno.name,
        type: dyno.type,
        from: dyno.state,
        state: report.state,
        address,
        exit_status: exitStatus,
      });
      // Attached ones end however they ended: their user saw it happen.
      if (dyno.type === ONE_OFF_TYPE && ended && (report.state === 'down' || dyno.attach)) {
        await this.dynos.remove(tx, [dyno.id]);
      }
      return this.toManaged([updated])[0];
    });
  }

  /** The change stream, as routers get it: managers re-list the apps it names. */
  watch(principal: Principal, since: number, open: () => ServerResponse): Promise<void> {
    requireManager(principal);
    return this.hub.attach(principal, since, open);
  }

  private toManaged(rows: ManagedDynoRow[]): ManagedDynoDto[] {
    // A release's config vars are opened once however many dynos run it.
    const configOf = new Map<string, Record<string, string>>();
    return rows.map((row) => {
      const release = row.release;
      let config: Record<string, string> = {};
      if (release) {
        config = configOf.get(release.id) ?? this.releases.configVarsOf(release);
        configOf.set(release.id, config);
      }
      const own = row.env
        ? (JSON.parse(this.secrets.decrypt(row.env)) as Record<string, string>)
        : {};
      const env = { ...config, ...own };
      const slug = release?.slug;
      const size = terminalSize(own);
      return {
        ...toDynoResponse(row, row.app),
        generation: row.generation,
        address: row.address,
        env,
        slug:
          slug?.blob.completedAt && slug.blob.sha256
            ? {
                id: slug.id,
                checksum: `SHA256:${slug.blob.sha256}`,
                url: `/dyno-manager/v1/slugs/${slug.id}/archive`,
              }
            : null,
        attached: row.attach,
        attach:
          row.attachSecretHash && row.attachExpiresAt
            ? {
                secret_sha256: row.attachSecretHash,
                expires_at: row.attachExpiresAt.toISOString(),
                tty: row.tty,
                columns: size?.columns ?? null,
                lines: size?.lines ?? null,
              }
            : null,
      };
    });
  }
}

function requireManager(principal: Principal): void {
  if (!isDynoManager(principal)) throw new ForbiddenError(NOT_A_DYNO_MANAGER);
}
