import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { AuthenticatedRequest } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { RoutingService, RoutingSnapshotDto } from './routing.service.js';
import { openEventStream } from './event-stream.js';

@ApiTags('routing')
@Authenticated('routing')
@Controller('routing/v1')
export class RoutingController {
  constructor(private readonly routing: RoutingService) {}

  @Get('snapshot')
  @ApiOperation({
    summary: 'Every routing entry, at a version',
    description:
      'List, then watch from `version`. ETag is the version: send If-None-Match to get 304 when nothing changed.',
  })
  @ApiHeader({ name: 'If-None-Match', required: false, example: '"42"' })
  @ApiOkResponse({ type: RoutingSnapshotDto })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag sent' })
  async snapshot(
    @CurrentPrincipal() principal: Principal,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const etag = this.routing.snapshotTag();
    void reply.header('Cache-Control', 'no-cache');
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) {
      await reply.header('ETag', etag).status(304).send();
      return;
    }
    const snapshot = this.routing.snapshot(principal);
    await reply
      .header('ETag', snapshot.etag)
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Content-Length', snapshot.length)
      .send(snapshot.body);
  }

  @Get('watch')
  @ApiOperation({
    summary: 'Follow changes (Server-Sent Events)',
    description:
      'Every change after `since` (or Last-Event-ID), in order, once: `id: <version>`, `event: change`, `data: {version, action, app_id, app_name, routing}` ' +
      '(`routing` null when the app is gone). Comment heartbeats keep proxies open. 410 when `since` is older than the retained log: re-list. ' +
      'The stream ends when its token is revoked; 429 when the token already holds WATCH_STREAMS_PER_TOKEN streams.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({
    name: 'since',
    required: false,
    example: 42,
    description: 'Version from the snapshot; default: now',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this version (wins over since)',
  })
  @ApiErrors(410, 422)
  async watch(
    @CurrentPrincipal() principal: Principal,
    @Query('since') since: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const from = await this.routing.watchStart(lastEventId ?? since);
    await this.routing.watch(principal, from, () => openEventStream(reply, request.id));
  }
}
