import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { LogDrainCreateDto, LogDrainResponseDto } from './log-drains.dto.js';
import { LogDrainsService } from './log-drains.service.js';

const APP_PARAM = { name: 'app_id_or_name', description: 'App name or id', example: 'myapp' };
const DRAIN_PARAM = {
  name: 'log_drain_query_identity',
  description:
    "The drain's id, its token, or its URL (percent-encoded, as `heroku drains:remove` sends it)",
  example: 'd.01234567-89ab-cdef-0123-456789abcdef',
};

@ApiTags('log-drains')
@Authenticated()
@Controller('apps/:app_id_or_name/log-drains')
export class LogDrainsController {
  constructor(private readonly drains: LogDrainsService) {}

  @Get()
  @ApiOperation({ summary: "An app's log drains", description: '`heroku drains` reads this.' })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [LogDrainResponseDto] })
  @ApiErrors(404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<LogDrainResponseDto[]> {
    return this.drains.list(principal, app);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add a log drain',
    description:
      "The app's lines from now on are POSTed to the URL in Heroku's HTTPS drain format (application/logplex-1: octet-counted RFC 5424 frames, " +
      'Logplex-Msg-Count, Logplex-Frame-Id, Logplex-Drain-Token), in order, in batches, retried with backoff. ' +
      'https:// only (http:// where the operator allows it, LOG_DRAINS_ALLOW_HTTP); syslog drains are not supported. The host must not name a ' +
      'loopback, private or link-local address unless the operator allows it (LOG_DRAIN_ALLOWED_HOSTS); deliveries check the address they connect to. ' +
      'A URL already drained by the app, or more drains than LOG_DRAINS_PER_APP, is a 422. `heroku drains:add URL` sends this.',
  })
  @ApiParam(APP_PARAM)
  @ApiCreatedResponse({ type: LogDrainResponseDto })
  @ApiErrors(404, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: LogDrainCreateDto,
  ): Promise<LogDrainResponseDto> {
    return this.drains.create(principal, app, body);
  }

  @Get(':log_drain_query_identity')
  @ApiOperation({ summary: 'A log drain, by id, token or URL' })
  @ApiParam(APP_PARAM)
  @ApiParam(DRAIN_PARAM)
  @ApiOkResponse({ type: LogDrainResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('log_drain_query_identity') drain: string,
  ): Promise<LogDrainResponseDto> {
    return this.drains.info(principal, app, drain);
  }

  @Delete(':log_drain_query_identity')
  @ApiOperation({
    summary: 'Remove a log drain, by id, token or URL',
    description:
      'Deliveries stop; lines not yet delivered are not sent. `heroku drains:remove URL` sends the URL percent-encoded.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(DRAIN_PARAM)
  @ApiOkResponse({ type: LogDrainResponseDto })
  @ApiErrors(404)
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('log_drain_query_identity') drain: string,
  ): Promise<LogDrainResponseDto> {
    return this.drains.remove(principal, app, drain);
  }
}
