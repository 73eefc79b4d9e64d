import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/authenticated.decorator.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { openEventStream } from '../routing/event-stream.js';
import { LOG_STREAM_PATH, LogsService } from './logs.service.js';

/** A log session's `logplex_url`, which takes no token: the signed grant in the URL is the credential. */
@ApiTags('logs')
@Public()
@Controller(LOG_STREAM_PATH)
export class LogStreamsController {
  constructor(private readonly logs: LogsService) {}

  @Get(':session_id')
  @ApiOperation({
    summary: "Read a log session's lines (Server-Sent Events)",
    description:
      'The `logplex_url` of POST /apps/{app}/log-sessions: `id: <line number>`, `data: <line>` per line. ' +
      'Without tail the stream ends after the newest lines; a tail reconnecting with Last-Event-ID resumes after that line.',
  })
  @ApiParam({ name: 'session_id', format: 'uuid' })
  @ApiQuery({ name: 'grant', description: 'The signed grant: the secret part of the URL' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this line' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The lines, as Server-Sent Events' })
  @ApiErrors(404)
  async stream(
    @Param('session_id') session: string,
    @Query('grant') grant: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.logs.stream(session, grant, lastEventId, () => openEventStream(reply, request.id));
  }
}
