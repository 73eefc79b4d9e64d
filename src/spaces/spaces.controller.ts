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
import { AcceptExpansion, Expandable } from '../common/heroku/accept-expansion.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import { Page } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { SpaceCreateDto, SpaceNatResponseDto, SpaceResponseDto } from './spaces.dto.js';
import { SPACE_RANGE_FIELDS, SpacesService } from './spaces.service.js';

const SPACE_PARAM = { name: 'space_id_or_name', description: 'Space name or id', example: 'nasa' };

@ApiTags('spaces')
@Authenticated()
@Controller('spaces')
export class SpacesController {
  constructor(private readonly spaces: SpacesService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a Private Space',
    description: 'Apps created in it get private-* (or shield-*) dyno sizes.',
  })
  @ApiCreatedResponse({ type: SpaceResponseDto })
  @ApiErrors(422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SpaceCreateDto,
  ): Promise<SpaceResponseDto> {
    return this.spaces.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: 'List spaces' })
  @ApiOkResponse({ type: [SpaceResponseDto] })
  @Paginated(SPACE_RANGE_FIELDS)
  list(
    @CurrentPrincipal() principal: Principal,
    @ListRangeHeader({ fields: SPACE_RANGE_FIELDS }) range: ListRange,
  ): Promise<Page<SpaceResponseDto>> {
    return this.spaces.list(principal, range);
  }

  @Get(':space_id_or_name')
  @ApiOperation({ summary: 'Space info' })
  @ApiParam(SPACE_PARAM)
  @Expandable('region')
  @ApiOkResponse({ type: SpaceResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id_or_name') space: string,
    @AcceptExpansion() expand: Set<string>,
  ): Promise<SpaceResponseDto> {
    return this.spaces.info(principal, space, expand);
  }

  @Get(':space_id_or_name/nat')
  @ApiOperation({
    summary: "A space's outbound NAT",
    description:
      'Always disabled with no sources: drydock has no NAT gateway, dynos leave through their host.',
  })
  @ApiParam(SPACE_PARAM)
  @ApiOkResponse({ type: SpaceNatResponseDto })
  @ApiErrors(404)
  nat(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id_or_name') space: string,
  ): Promise<SpaceNatResponseDto> {
    return this.spaces.nat(principal, space);
  }

  @Delete(':space_id_or_name')
  @ApiOperation({ summary: 'Delete a space', description: 'Only a space without apps.' })
  @ApiParam(SPACE_PARAM)
  @ApiOkResponse({ type: SpaceResponseDto })
  @ApiErrors(404, 422)
  destroy(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id_or_name') space: string,
  ): Promise<SpaceResponseDto> {
    return this.spaces.destroy(principal, space);
  }
}
