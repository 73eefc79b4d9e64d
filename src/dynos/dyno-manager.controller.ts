import { Body, Controller, Get, Headers, Param, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { AuthenticatedRequest } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { RoutingService } from '../routing/routing.service.js';
import {
  DynoManagerHeartbeatDto,
  DynoManagerResponseDto,
  DynoStateReportDto,
  ManagedDynoDto,
  ManagedDynoListDto,
} from './dynos.dto.js';
import { DynoManagerService } from './dyno-manager.service.js';
import { openEventStream } from '../routing/event-stream.js';

const APP_PARAM = { name: 'app_id_or_name', example: 'myapp' };

/**
 * The internal API of dyno managers, the processes that actually run dynos: drydock
 * decides which dynos should exist, they report back what each one is doing
 * (docs/dyno-manager-api.md).
 */
@ApiTags('dyno managers')
@Authenticated('dyno-manager')
@Controller('dyno-manager/v1')
export class DynoManagerController {
  constructor(
    private readonly managers: DynoManagerService,
    private readonly routing: RoutingService,
  ) {}

  @Put('managers/:name')
  @ApiOperation({
    summary: 'A dyno manager is alive',
    description:
      'At start and every 15 s. `rendezvous` (host:port) is where `heroku run` attaches; attached one-off dynos go to the manager heard of last.',
  })
  @ApiParam({ name: 'name', example: 'host-1' })
  @ApiOkResponse({ type: DynoManagerResponseDto })
  @ApiErrors(422)
  heartbeat(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: DynoManagerHeartbeatDto,
  ): Promise<DynoManagerResponseDto> {
    return this.managers.heartbeat(principal, name.slice(0, 255), body.rendezvous);
  }

  @Get('dynos')
  @ApiOperation({
    summary: 'Every dyno to run',
    description:
      'Every dyno of every app with what it takes to run it, at a change-stream `version` to watch from.',
  })
  @ApiOkResponse({ type: ManagedDynoListDto })
  @ApiErrors(503)
  listAll(@CurrentPrincipal() principal: Principal): Promise<ManagedDynoListDto> {
    return this.managers.listAll(principal);
  }

  @Get('apps/:app_id_or_name/dynos')
  @ApiOperation({
    summary: "An app's dynos to run",
    description:
      'Every dyno of the app with what a manager needs to run it: command, size, environment, code, generation, and its last reported state and address.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [ManagedDynoDto] })
  @ApiErrors(404, 503)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<ManagedDynoDto[]> {
    return this.managers.listApp(principal, app);
  }

  @Put('apps/:app_id_or_name/dynos/:dyno_id_or_name/state')
  @ApiOperation({
    summary: "Report a dyno's state",
    description:
      'For dyno-manager tokens (or admins). `generation` names the generation the report is about: an older one answers 409. `address` (host:port) tells routers where an up web dyno listens; omit it to keep the last one, null to clear it.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam({ name: 'dyno_id_or_name', example: 'web.1' })
  @ApiOkResponse({ type: ManagedDynoDto })
  @ApiErrors(404, 409, 422)
  report(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('dyno_id_or_name') dyno: string,
    @Body() body: DynoStateReportDto,
  ): Promise<ManagedDynoDto> {
    return this.managers.report(principal, app, dyno, body);
  }

  @Get('watch')
  @ApiOperation({
    summary: 'Follow changes (Server-Sent Events)',
    description:
      'The change stream of /routing/v1/watch, for dyno managers: re-list an app when a change names it. 410 when `since` is older than the retained log: list everything again.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'since', required: false, example: 42 })
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiErrors(410, 422)
  async watch(
    @CurrentPrincipal() principal: Principal,
    @Query('since') since: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const from = await this.routing.watchStart(lastEventId ?? since);
    await this.managers.watch(principal, from, () => openEventStream(reply, request.id));
  }
}
