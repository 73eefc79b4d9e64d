import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { RoutingService, SchedulerAppDto } from './routing.service.js';

@ApiTags('scheduler')
@Authenticated('scheduler')
@Controller('scheduler/v1')
export class SchedulerController {
  constructor(private readonly routing: RoutingService) {}

  @Get('apps/:app_name_or_id')
  @ApiOperation({
    summary: "Whether an app's scheduled jobs may run",
    description:
      'As on Heroku, jobs keep running during maintenance; the answer carries the maintenance flag so a scheduler can decide, ' +
      'and apps can opt into pausing with DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE=true. Changes stream from GET /routing/v1/watch.',
  })
  @ApiParam({ name: 'app_name_or_id', example: 'myapp' })
  @ApiOkResponse({ type: SchedulerAppDto })
  @ApiErrors(404)
  scheduling(
    @CurrentPrincipal() principal: Principal,
    @Param('app_name_or_id') app: string,
  ): SchedulerAppDto {
    return this.routing.scheduling(principal, app);
  }
}
