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
import { CollaboratorCreateDto, CollaboratorResponseDto } from './collaborators.dto.js';
import { CollaboratorsService } from './collaborators.service.js';

const APP_PARAM = { name: 'app_id_or_name', description: 'App name or id', example: 'myapp' };
const COLLABORATOR_PARAM = {
  name: 'collaborator_email_or_id',
  description: "The collaborator's email or id (or its account's id)",
  example: 'collaborator@example.com',
};

@ApiTags('collaborators')
@Authenticated()
@Controller('apps/:app_id_or_name/collaborators')
export class CollaboratorsController {
  constructor(private readonly collaborators: CollaboratorsService) {}

  @Get()
  @ApiOperation({
    summary: "An app's collaborators",
    description:
      'The owner (role `owner`) and the collaborators. `heroku access` and `heroku apps:info` read this.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [CollaboratorResponseDto] })
  @ApiErrors(404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<CollaboratorResponseDto[]> {
    return this.collaborators.list(principal, app);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add a collaborator',
    description:
      'Gives an existing account access to the app: everything the owner may do except deleting or renaming the app and managing its collaborators. ' +
      'For the owner (or an admin). An unknown account is a 404 (drydock sends no invitations); the owner or an existing collaborator a 422. ' +
      '`heroku access:add EMAIL` sends this.',
  })
  @ApiParam(APP_PARAM)
  @ApiCreatedResponse({ type: CollaboratorResponseDto })
  @ApiErrors(404, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: CollaboratorCreateDto,
  ): Promise<CollaboratorResponseDto> {
    return this.collaborators.create(principal, app, body);
  }

  @Get(':collaborator_email_or_id')
  @ApiOperation({ summary: 'A collaborator, by email or id' })
  @ApiParam(APP_PARAM)
  @ApiParam(COLLABORATOR_PARAM)
  @ApiOkResponse({ type: CollaboratorResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('collaborator_email_or_id') collaborator: string,
  ): Promise<CollaboratorResponseDto> {
    return this.collaborators.info(principal, app, collaborator);
  }

  @Delete(':collaborator_email_or_id')
  @ApiOperation({
    summary: 'Remove a collaborator',
    description:
      'For the owner (or an admin); a collaborator may remove themselves (`heroku apps:leave`). The owner cannot be removed (422). ' +
      '`heroku access:remove EMAIL` sends this.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(COLLABORATOR_PARAM)
  @ApiOkResponse({ type: CollaboratorResponseDto })
  @ApiErrors(404, 422)
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('collaborator_email_or_id') collaborator: string,
  ): Promise<CollaboratorResponseDto> {
    return this.collaborators.remove(principal, app, collaborator);
  }
}
