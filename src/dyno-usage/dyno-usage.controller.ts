import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { DynoUsageDto } from './dyno-usage.dto.js';
import { DynoUsageService } from './dyno-usage.service.js';

@ApiTags('dyno usage')
@Authenticated()
@Controller('apps/:app_id_or_name/dyno-usage')
export class DynoUsageController {
  constructor(private readonly usage: DynoUsageService) {}

  @Get()
  @ApiOperation({
    summary: "An app's dyno usage per day",
    description:
      'Per UTC day, process type and size: the seconds dynos were up (from their managers’ reports), dyno units, and the part in maintenance mode.',
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiQuery({ name: 'start', required: true, example: '2026-11-01' })
  @ApiQuery({ name: 'end', required: false, example: '2026-11-30', description: 'Default: today' })
  @ApiOkResponse({ type: [DynoUsageDto] })
  @ApiErrors(404, 422)
  daily(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Query('start') start: string | undefined,
    @Query('end') end: string | undefined,
  ): Promise<DynoUsageDto[]> {
    return this.usage.daily(principal, app, start, end);
  }
}
