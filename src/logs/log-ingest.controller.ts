import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { LogIngestResultDto } from './logs.dto.js';
import { LogsService } from './logs.service.js';

@ApiTags('logs')
@Authenticated('logs')
@Controller('logs/v1/lines')
export class LogIngestController {
  constructor(private readonly logs: LogsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Write log lines (routers and dyno managers)',
    description:
      '`{"lines": [{"app_id", "source", "dyno", "time", "message"}]}`, at most 1,000 lines, each one line of at most 10,000 characters. ' +
      'A routing token writes heroku[router] lines; a dyno-manager token its dynos’ app[…] and heroku[…] lines. See docs/logs.md.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['lines'],
      properties: {
        lines: {
          type: 'array',
          maxItems: 1000,
          items: {
            type: 'object',
            required: ['app_id', 'source', 'dyno', 'message'],
            properties: {
              app_id: { type: 'string', format: 'uuid' },
              source: { type: 'string', enum: ['app', 'heroku'] },
              dyno: { type: 'string', example: 'router' },
              time: { type: 'string', format: 'date-time' },
              message: { type: 'string', maxLength: 10000 },
            },
          },
        },
      },
    },
  })
  @ApiAcceptedResponse({ type: LogIngestResultDto })
  @ApiErrors(413, 422)
  ingest(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ): Promise<LogIngestResultDto> {
    return this.logs.ingest(principal, body);
  }
}
