import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import { Page } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { AuditEventDto } from './audit.dto.js';
import { AUDIT_RANGE_FIELDS, AuditService } from './audit.service.js';

@ApiTags('audit')
@Authenticated()
@Controller('apps/:app_id_or_name/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: "An app's audit trail",
    description:
      'Every change to the app, newest first, with its actor, action and payload (never a secret value), as far back as the change log reaches (EVENTS_RETENTION_DAYS). ' +
      "Admins can read a deleted app's trail by its id or last name. `Range: version ..; order=asc` for the oldest first.",
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiOkResponse({ type: [AuditEventDto] })
  @ApiErrors(403, 404, 416)
  @Paginated(AUDIT_RANGE_FIELDS)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @ListRangeHeader({ fields: AUDIT_RANGE_FIELDS, order: 'desc' }) range: ListRange,
  ): Promise<Page<AuditEventDto>> {
    return this.audit.trail(principal, app, range);
  }
}
