import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import { Page } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import {
  MaintenanceChangeDto,
  MaintenanceResponseDto,
  MaintenanceUpdateDto,
} from './maintenance.dto.js';
import { MAINTENANCE_HISTORY_RANGE_FIELDS, MaintenanceService } from './maintenance.service.js';

const APP_PARAM = { name: 'app_id_or_name', description: 'App name or id', example: 'myapp' };

@ApiTags('maintenance')
@Authenticated()
@Controller('apps/:app_id_or_name/maintenance')
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Get()
  @ApiOperation({
    summary: "An app's maintenance mode",
    description:
      'Whether routers answer the app with its maintenance page, why, since when and who switched it. ' +
      '`heroku maintenance` reads the same flag from GET /apps/{app}.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: MaintenanceResponseDto })
  @ApiErrors(403, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<MaintenanceResponseDto> {
    return this.maintenance.get(principal, app);
  }

  @Patch()
  @ApiOperation({
    summary: 'Turn maintenance mode on or off',
    description:
      'Routers serve the maintenance page (503, H80) from the next request on; dynos, scheduled jobs and one-off dynos keep running. ' +
      'The switch is kept in the history with its reason; setting the mode the app already has changes and records nothing. ' +
      '`heroku maintenance:on` sends PATCH /apps/{app} {"maintenance": true}, which switches the same way.',
  })
  @ApiParam(APP_PARAM)
  @ApiBody({
    type: MaintenanceUpdateDto,
    examples: {
      on: { value: { enabled: true, reason: 'Migrating the orders table' } },
      off: { value: { enabled: false } },
    },
  })
  @ApiOkResponse({ type: MaintenanceResponseDto })
  @ApiErrors(403, 404, 422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: MaintenanceUpdateDto,
  ): Promise<MaintenanceResponseDto> {
    return this.maintenance.update(principal, app, body);
  }

  @Get('history')
  @ApiOperation({
    summary: 'Every maintenance switch of an app',
    description: 'Newest first; `Range: version ..; max=20, order=asc` for the oldest.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [MaintenanceChangeDto] })
  @ApiErrors(403, 404, 416)
  @Paginated(MAINTENANCE_HISTORY_RANGE_FIELDS)
  history(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @ListRangeHeader({ fields: MAINTENANCE_HISTORY_RANGE_FIELDS, order: 'desc' }) range: ListRange,
  ): Promise<Page<MaintenanceChangeDto>> {
    return this.maintenance.history(principal, app, range);
  }
}
