import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import { Page } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { DynoCreateDto, DynoResponseDto } from './dynos.dto.js';
import { DYNO_RANGE_FIELDS, DynosService } from './dynos.service.js';

const APP_PARAM = { name: 'app_id_or_name', example: 'myapp' };
const DYNO_PARAM = { name: 'dyno_id_or_name', example: 'web.1' };
const TYPE_PARAM = { name: 'formation_type', example: 'web', description: 'Process type' };
const ACCEPTED = {
  description: 'Accepted; the dyno manager carries it out',
  schema: { type: 'object', example: {} },
};

@ApiTags('dynos')
@Authenticated()
@Controller('apps/:app_id_or_name')
export class DynosController {
  constructor(private readonly dynos: DynosService) {}

  @Get('dynos')
  @ApiOperation({
    summary: "List an app's dynos",
    description: 'Formation dynos (web.1, worker.1, ...) and one-off dynos (run.N).',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [DynoResponseDto] })
  @ApiErrors(404)
  @Paginated(DYNO_RANGE_FIELDS)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @ListRangeHeader({ fields: DYNO_RANGE_FIELDS }) range: ListRange,
  ): Promise<Page<DynoResponseDto>> {
    return this.dynos.list(principal, app, range);
  }

  @Get('dynos/:dyno_id_or_name')
  @ApiOperation({ summary: 'Dyno info' })
  @ApiParam(APP_PARAM)
  @ApiParam(DYNO_PARAM)
  @ApiOkResponse({ type: DynoResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('dyno_id_or_name') dyno: string,
  ): Promise<DynoResponseDto> {
    return this.dynos.info(principal, app, dyno);
  }

  @Post('dynos')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Run a one-off dyno',
    description:
      '`heroku run:detached`: a run.N dyno with the command. Allowed during maintenance, as on Heroku.',
  })
  @ApiParam(APP_PARAM)
  @ApiCreatedResponse({ type: DynoResponseDto })
  @ApiErrors(404, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: DynoCreateDto,
  ): Promise<DynoResponseDto> {
    return this.dynos.createOneOff(principal, app, body);
  }

  @Delete('dynos')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Restart all dynos',
    description: 'Formation dynos restart; one-off dynos stop.',
  })
  @ApiParam(APP_PARAM)
  @ApiAcceptedResponse(ACCEPTED)
  @ApiErrors(404)
  async restartAll(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<object> {
    await this.dynos.restart(principal, app, { all: true });
    return {};
  }

  @Delete('dynos/:dyno_id_or_name')
  @HttpCode(202)
  @ApiOperation({ summary: 'Restart a dyno' })
  @ApiParam(APP_PARAM)
  @ApiParam(DYNO_PARAM)
  @ApiAcceptedResponse(ACCEPTED)
  @ApiErrors(404)
  async restart(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('dyno_id_or_name') dyno: string,
  ): Promise<object> {
    await this.dynos.restart(principal, app, { dyno });
    return {};
  }

  @Delete('formations/:formation_type')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Restart the dynos of a process type',
    description: '`heroku ps:restart -p web`',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(TYPE_PARAM)
  @ApiAcceptedResponse(ACCEPTED)
  @ApiErrors(404)
  async restartType(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('formation_type') type: string,
  ): Promise<object> {
    await this.dynos.restart(principal, app, { type });
    return {};
  }

  @Post('dynos/:dyno_id_or_name/actions/stop')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Stop a dyno',
    description: 'A one-off dyno ends; a formation dyno goes down until its manager restarts it.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(DYNO_PARAM)
  @ApiAcceptedResponse(ACCEPTED)
  @ApiErrors(404, 409)
  async stop(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('dyno_id_or_name') dyno: string,
  ): Promise<object> {
    await this.dynos.stop(principal, app, { dyno });
    return {};
  }

  @Post('formations/:formation_type/actions/stop')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Stop the dynos of a process type',
    description: '`heroku ps:stop -p worker`',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(TYPE_PARAM)
  @ApiAcceptedResponse(ACCEPTED)
  @ApiErrors(404, 409)
  async stopType(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('formation_type') type: string,
  ): Promise<object> {
    await this.dynos.stop(principal, app, { type });
    return {};
  }
}
