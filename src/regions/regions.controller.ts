import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth/authenticated.decorator.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { findRegion, REGIONS } from '../common/heroku/catalogue.js';
import { RegionResponseDto, toRegionResponse } from './regions.dto.js';

/** The regions apps and spaces may be created in: the catalogue their validation reads. */
@ApiTags('regions')
@Authenticated()
@Controller('regions')
export class RegionsController {
  @Get()
  @ApiOperation({ summary: 'List regions' })
  @ApiOkResponse({ type: [RegionResponseDto] })
  list(): RegionResponseDto[] {
    return REGIONS.map(toRegionResponse);
  }

  @Get(':region_id_or_name')
  @ApiOperation({ summary: 'Region info' })
  @ApiParam({ name: 'region_id_or_name', example: 'us' })
  @ApiOkResponse({ type: RegionResponseDto })
  @ApiErrors(404)
  info(@Param('region_id_or_name') idOrName: string): RegionResponseDto {
    const region = findRegion(idOrName);
    if (!region) throw new NotFoundError("Couldn't find that region.");
    return toRegionResponse(region);
  }
}
