import { Inject, Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { ConflictError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { inRange, ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService } from '../database/prisma.service.js';
import { ChangeFeed } from '../events/change-feed.service.js';
import type { AppWithRelations } from '../store/app.repository.js';
import { DomainRepository } from '../store/domain.repository.js';
import type { Domain } from '../store/domain.repository.js';
import {
  canonicalHostname,
  defaultDomainId,
  defaultHostname,
  HostnameProblem,
  normalizeCustomHostname,
} from './domain-hostname.js';
import { DomainCreateDto, DomainResponseDto } from './domains.dto.js';

export const DOMAIN_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'id', column: 'id', type: 'uuid' },
];

const NOT_FOUND = "Couldn't find that domain.";

type AppRef = Pick<AppWithRelations, 'id' | 'name' | 'createdAt' | 'updatedAt'>;

/**
 * Heroku's domains of an app: its default `<app>.<APPS_DOMAIN>` (kind heroku, derived from
 * the app, never stored, never removable) and the custom domains added to it, which
 * routers send to the app as well. Adds and removals go through the app's write path with
 * `domain.create` / `domain.destroy` events, which refresh the app's routing entry; no
 * release is cut (as on Heroku).
 */
@Injectable()
export class DomainsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccess,
    private readonly changes: AppChanges,
    private readonly domains: DomainRepository,
    private readonly feed: ChangeFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** In id order, the default domain among the custom ones where its id falls. */
  async list(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<DomainResponseDto>> {
    const app = await this.access.find(principal, idOrName);
    const rows = (await this.domains.page(this.prisma, app.id, range)).map((domain) =>
      this.custom(app, domain),
    );
    const own = this.default(app);
    if (inRange(own.id, range)) {
      rows.push(own);
      rows.sort((a, b) => (a.id < b.id ? -1 : 1) * (range.order === 'asc' ? 1 : -1));
    }
    return toPage(rows.slice(0, range.max + 1), range, (row) => row);
  }

  async info(principal: Principal, idOrName: string, identity: string): Promise<DomainResponseDto> {
    const app = await this.access.find(principal, idOrName);
    if (this.isDefault(app, identity)) return this.default(app);
    const domain = await this.domains.find(this.prisma, app.id, this.where(identity));
    if (!domain) throw new NotFoundError(NOT_FOUND);
    return this.custom(app, domain);
  }

  async create(
    principal: Principal,
    idOrName: string,
    body: DomainCreateDto,
  ): Promise<DomainResponseDto> {
    if (body.sni_endpoint !== undefined && body.sni_endpoint !== null) {
      throw new InvalidParamsError(
        'drydock has no SNI endpoints (the list is always empty); send sni_endpoint null, or leave --cert out.',
      );
    }
    const hostname = this.normalize(body.hostname);
    const created = await this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const domain = await this.domains.create(tx, app.id, hostname);
      if (!domain) {
        const owner = await this.domains.ownerOf(tx, hostname);
        // Which other app holds it is not this caller's business.
        throw new ConflictError(
          owner === app.id
            ? `${hostname} is already a domain of ${app.name}.`
            : `${hostname} is already in use by another app.`,
        );
      }
      await change.record('domain.create', { domain_id: domain.id, hostname });
      return this.custom(app, domain);
    });
    // This replica's routing view has the new host before the answer leaves.
    await this.feed.caughtUp();
    return created;
  }

  async remove(
    principal: Principal,
    idOrName: string,
    identity: string,
  ): Promise<DomainResponseDto> {
    const removed = await this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      if (this.isDefault(app, identity)) {
        throw new InvalidParamsError(
          `${defaultHostname(app.name, this.config.appsDomain)} is the default domain of ${app.name}; it cannot be removed (it follows the app's name).`,
        );
      }
      const domain = await this.domains.find(tx, app.id, this.where(identity));
      if (!domain) throw new NotFoundError(NOT_FOUND);
      await this.domains.delete(tx, domain.id);
      await change.record('domain.destroy', { domain_id: domain.id, hostname: domain.hostname });
      return this.custom(app, domain);
    });
    await this.feed.caughtUp();
    return removed;
  }

  /** drydock keeps no certificates: no app has an SNI endpoint. */
  async sniEndpoints(principal: Principal, idOrName: string): Promise<never[]> {
    await this.access.find(principal, idOrName);
    return [];
  }

  private normalize(hostname: string): string {
    try {
      return normalizeCustomHostname(hostname, this.config.appsDomain);
    } catch (error) {
      if (error instanceof HostnameProblem) throw new InvalidParamsError(error.message);
      throw error;
    }
  }

  private isDefault(app: AppRef, identity: string): boolean {
    return isUuid(identity)
      ? identity.toLowerCase() === defaultDomainId(app.id)
      : canonicalHostname(identity) === defaultHostname(app.name, this.config.appsDomain);
  }

  private where(identity: string): { id: string } | { hostname: string } {
    return isUuid(identity)
      ? { id: identity.toLowerCase() }
      : { hostname: canonicalHostname(identity) };
  }

  private default(app: AppRef): DomainResponseDto {
    return {
      acm_status: null,
      acm_status_reason: null,
      app: { id: app.id, name: app.name },
      cname: null,
      created_at: app.createdAt.toISOString(),
      hostname: defaultHostname(app.name, this.config.appsDomain),
      id: defaultDomainId(app.id),
      kind: 'heroku',
      sni_endpoint: null,
      status: 'succeeded',
      // The app's: a rename, which changes this domain, changes the app.
      updated_at: app.updatedAt.toISOString(),
    };
  }

  private custom(app: AppRef, domain: Domain): DomainResponseDto {
    return {
      acm_status: null,
      acm_status_reason: null,
      app: { id: app.id, name: app.name },
      cname: defaultHostname(app.name, this.config.appsDomain),
      created_at: domain.createdAt.toISOString(),
      hostname: domain.hostname,
      id: domain.id,
      kind: 'custom',
      sni_endpoint: null,
      status: 'succeeded',
      updated_at: domain.updatedAt.toISOString(),
    };
  }
}
