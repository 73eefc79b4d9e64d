import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import { AppChanges } from '../app-changes/app-changes.service.js';
import type { Principal } from '../common/auth/principal.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService } from '../database/prisma.service.js';
import { ChangeFeed } from '../events/change-feed.service.js';
import { LogDrainRepository } from '../store/log-drain.repository.js';
import { checkDrainUrl } from './drain-url.js';
import { LogDrainCreateDto, LogDrainResponseDto, toLogDrainResponse } from './log-drains.dto.js';

const NOT_FOUND = "Couldn't find that log drain.";

/**
 * Heroku's log drains of an app: add (through the app's write path, with a `drain.add`
 * event that names the drain by id and token, never by URL), list, show and remove, by
 * id, URL or token. A new drain receives the lines written from its creation on.
 */
@Injectable()
export class LogDrainsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccess,
    private readonly changes: AppChanges,
    private readonly drains: LogDrainRepository,
    private readonly feed: ChangeFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(principal: Principal, idOrName: string): Promise<LogDrainResponseDto[]> {
    const app = await this.access.find(principal, idOrName);
    return (await this.drains.list(this.prisma, app.id)).map((d) => toLogDrainResponse(app, d));
  }

  async info(
    principal: Principal,
    idOrName: string,
    identity: string,
  ): Promise<LogDrainResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const drain = await this.drains.find(this.prisma, app.id, identity);
    if (!drain) throw new NotFoundError(NOT_FOUND);
    return toLogDrainResponse(app, drain);
  }

  async create(
    principal: Principal,
    idOrName: string,
    body: LogDrainCreateDto,
  ): Promise<LogDrainResponseDto> {
    const limits = this.config.logDrains;
    const url = checkDrainUrl(body.url, limits);
    const created = await this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      // Under the app's lock: two adds at once see each other.
      const drains = await this.drains.list(tx, app.id);
      if (drains.some((drain) => drain.url === url))
        throw new InvalidParamsError('Url has already been taken');
      if (drains.length >= limits.perApp) {
        throw new InvalidParamsError(
          `${app.name} has ${drains.length} log drains, the most an app may have (LOG_DRAINS_PER_APP); remove one first.`,
        );
      }
      const drain = await this.drains.create(tx, {
        appId: app.id,
        url,
        token: `d.${randomUUID()}`,
      });
      await change.record('drain.add', { drain_id: drain.id, token: drain.token });
      return toLogDrainResponse(app, drain);
    });
    // This replica wakes the drain from its next line on, whichever replica ingests it.
    await this.feed.caughtUp();
    return created;
  }

  remove(principal: Principal, idOrName: string, identity: string): Promise<LogDrainResponseDto> {
    return this.changes.apply(principal, idOrName, async (change) => {
      const { tx, app } = change;
      const drain = await this.drains.find(tx, app.id, identity);
      if (!drain) throw new NotFoundError(NOT_FOUND);
      await this.drains.delete(tx, drain.id);
      await change.record('drain.remove', { drain_id: drain.id, token: drain.token });
      return toLogDrainResponse(app, drain);
    });
  }
}
