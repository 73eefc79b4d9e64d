import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { DynoResponseDto, DynoStateReportDto, ManagedDynoDto } from './dynos.dto.js';
import { DynosService } from './dynos.service.js';

/**
 * The internal API of dyno managers, the processes that actually run dynos: drydock
 * decides which dynos should exist, they report back what each one is doing.
 */
@ApiTags('dyno managers')
@Authenticated('dyno-manager')
@Controller('dyno-manager/v1/apps/:app_id_or_name/dynos')
export class DynoManagerController {
  constructor(private readonly dynos: DynosService) {}

  @Get()
  @ApiOperation({
    summary: 'The dynos to run',
    description:
      'Every dyno of the app with what a manager needs to run it: command, size, one-off env, and its last reported state and address.',
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiOkResponse({ type: [ManagedDynoDto] })
  @ApiErrors(404, 503)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<ManagedDynoDto[]> {
    return this.dynos.listForManager(principal, app);
  }

  @Put(':dyno_id_or_name/state')
  @ApiOperation({
    summary: "Report a dyno's state",
    description:
      'For dyno-manager tokens (or admins). `address` (host:port) tells routers where an up web dyno listens; omit it to keep the last one, null to clear it.',
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiParam({ name: 'dyno_id_or_name', example: 'web.1' })
  @ApiOkResponse({ type: DynoResponseDto })
  @ApiErrors(404, 422)
  report(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('dyno_id_or_name') dyno: string,
    @Body() body: DynoStateReportDto,
  ): Promise<DynoResponseDto> {
    return this.dynos.report(principal, app, dyno, body);
  }
}
