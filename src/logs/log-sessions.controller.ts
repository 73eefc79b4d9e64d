import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { RequestBaseUrl } from '../common/heroku/request-base-url.js';
import { LogSessionCreateDto, LogSessionResponseDto } from './logs.dto.js';
import { LogsService } from './logs.service.js';

@ApiTags('logs')
@Authenticated('read')
@Controller('apps/:app_id_or_name/log-sessions')
export class LogSessionsController {
  constructor(private readonly logs: LogsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a log session',
    description:
      "Heroku's log session: `logplex_url` streams the app's newest `lines` as Server-Sent Events (one line per message, " +
      '`<time> <source>[<dyno>]: <message>`), then ends, or with `tail` keeps streaming new lines. ' +
      'Filters: `source` (`app`, `heroku`), `dyno` (`web.1`, `web`, `router`, `api`).',
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiCreatedResponse({ type: LogSessionResponseDto })
  @ApiErrors(404, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: LogSessionCreateDto,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<LogSessionResponseDto> {
    return this.logs.createSession(principal, app, body, baseUrl);
  }
}
