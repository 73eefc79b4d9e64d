import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import type { Principal } from '../common/auth/principal.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { ListRange, Page, RangeField, toPage } from '../common/heroku/range.js';
import { EventRepository } from '../events/event.repository.js';
import { AccountRepository } from '../store/account.repository.js';
import { AuditEventDto, toAuditEvent } from './audit.dto.js';

export const AUDIT_RANGE_FIELDS: readonly RangeField[] = [
  { name: 'version', column: 'version', type: 'integer' },
];

/**
 * An app's audit trail: every change to it from the change log, with who made it. The
 * trail outlives the app: an admin can still read a deleted app's, by its id or last name.
 * It reaches back as far as the log does (EVENTS_RETENTION_DAYS).
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly access: AppAccess,
    private readonly events: EventRepository,
    private readonly accounts: AccountRepository,
  ) {}

  async trail(
    principal: Principal,
    idOrName: string,
    range: ListRange,
  ): Promise<Page<AuditEventDto>> {
    const appId = await this.appId(principal, idOrName);
    const events = await this.events.ofApp(appId, range);
    const emails = await this.accounts.emails([
      ...new Set(events.flatMap((event) => (event.actorId ? [event.actorId] : []))),
    ]);
    return toPage(events, range, (event) => toAuditEvent(event, emails));
  }

  private async appId(principal: Principal, idOrName: string): Promise<string> {
    try {
      return (await this.access.find(principal, idOrName)).id;
    } catch (error) {
      if (!(error instanceof NotFoundError) || !principal.isAdmin) throw error;
    }
    const id = isUuid(idOrName) ? idOrName.toLowerCase() : await this.events.appIdByName(idOrName);
    if (!id) throw new NotFoundError("Couldn't find that app, nor a trail of it.");
    return id;
  }
}
