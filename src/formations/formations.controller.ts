import { Body, Controller, Get, Param, Patch, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import {
  FormationBatchUpdateDto,
  FormationResponseDto,
  FormationUpdateDto,
} from './formations.dto.js';
import { FormationsService } from './formations.service.js';

const APP_PARAM = { name: 'app_id_or_name', example: 'myapp' };
const TYPE_PARAM = { name: 'formation_id_or_type', example: 'web' };
const PROCESS_TYPES_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string' },
  example: { web: 'npm start', worker: 'node worker.js' },
} as const;

@ApiTags('formation')
@Authenticated()
@Controller('apps/:app_id_or_name')
export class FormationsController {
  constructor(private readonly formations: FormationsService) {}

  @Get('formation')
  @ApiOperation({
    summary: "An app's formation",
    description: 'One entry per process type: command, quantity, size.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [FormationResponseDto] })
  @ApiErrors(404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<FormationResponseDto[]> {
    return this.formations.list(principal, app);
  }

  @Patch('formation')
  @ApiOperation({
    summary: 'Scale or resize several process types at once',
    description:
      'All or nothing (`heroku ps:scale web=3:Private-M worker=0`). Private-* sizes only in a Private Space. ' +
      'In a Private Space, web=0 while in maintenance is refused with 422 unless override_private_space_guard is true.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({
    type: [FormationResponseDto],
    description: 'The updated entries, in request order',
  })
  @ApiErrors(404, 422)
  batchUpdate(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: FormationBatchUpdateDto,
  ): Promise<FormationResponseDto[]> {
    return this.formations.batchUpdate(principal, app, body);
  }

  @Get('formation/:formation_id_or_type')
  @ApiOperation({ summary: 'A process type of the formation' })
  @ApiParam(APP_PARAM)
  @ApiParam(TYPE_PARAM)
  @ApiOkResponse({ type: FormationResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('formation_id_or_type') type: string,
  ): Promise<FormationResponseDto> {
    return this.formations.info(principal, app, type);
  }

  @Patch('formation/:formation_id_or_type')
  @ApiOperation({ summary: 'Scale or resize one process type' })
  @ApiParam(APP_PARAM)
  @ApiParam(TYPE_PARAM)
  @ApiOkResponse({ type: FormationResponseDto })
  @ApiErrors(404, 422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('formation_id_or_type') type: string,
    @Body() body: FormationUpdateDto,
  ): Promise<FormationResponseDto> {
    return this.formations.update(principal, app, type, body ?? {});
  }

  @Get('process-types')
  @ApiOperation({ summary: "An app's process types (its Procfile)" })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ schema: PROCESS_TYPES_SCHEMA })
  @ApiErrors(404)
  processTypes(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<Record<string, string>> {
    return this.formations.processTypes(principal, app);
  }

  @Put('process-types')
  @ApiOperation({
    summary: "Replace an app's process types (its Procfile)",
    description:
      'drydock extension, the counterpart of deploying a Procfile. New types join the formation (web with 1 dyno, others 0); ' +
      'removed types lose their dynos; changed commands restart theirs. A change makes a release ("Deploy process types web, worker").',
  })
  @ApiParam(APP_PARAM)
  @ApiBody({ schema: PROCESS_TYPES_SCHEMA })
  @ApiOkResponse({ schema: PROCESS_TYPES_SCHEMA })
  @ApiErrors(404, 422)
  replaceProcessTypes(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: unknown,
  ): Promise<Record<string, string>> {
    return this.formations.replaceProcessTypes(principal, app, body);
  }
}
