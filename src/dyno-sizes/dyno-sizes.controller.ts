import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AppAccess } from '../app-changes/app-access.service.js';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { sizesFor } from './dyno-size-rules.js';
import { DYNO_SIZES, dynoSizeResponse, findDynoSize } from './dyno-size-catalogue.js';

class GenerationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'cedar' }) name!: string;
}

/** Heroku's Dyno Size resource. */
export class DynoSizeResponseDto {
  @ApiProperty({ example: 'amd64' }) architecture!: string;
  @ApiProperty({ example: 1 }) compute!: number;
  @ApiProperty({ type: Object, nullable: true, example: null }) cost!: null;
  @ApiProperty({ example: false }) dedicated!: boolean;
  @ApiProperty({ example: 1 }) precise_dyno_units!: number;
  @ApiProperty({ type: GenerationDto }) generation!: GenerationDto;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 0.5, description: 'GB of RAM' }) memory!: number;
  @ApiProperty({ example: 'Standard-1X' }) name!: string;
  @ApiProperty({ example: false }) private_space_only!: boolean;
}

@ApiTags('formation')
@Authenticated()
@Controller()
export class DynoSizesController {
  constructor(private readonly access: AppAccess) {}

  @Get('dyno-sizes')
  @ApiOperation({
    summary: 'Dyno sizes',
    description: 'Private-* and Shield-* sizes run only in Private Spaces.',
  })
  @ApiOkResponse({ type: [DynoSizeResponseDto] })
  list(): DynoSizeResponseDto[] {
    return DYNO_SIZES.map(dynoSizeResponse);
  }

  @Get('dyno-sizes/:dyno_size_id_or_name')
  @ApiOperation({ summary: 'Dyno size info' })
  @ApiParam({ name: 'dyno_size_id_or_name', example: 'Standard-1X' })
  @ApiOkResponse({ type: DynoSizeResponseDto })
  @ApiErrors(404)
  info(@Param('dyno_size_id_or_name') idOrName: string): DynoSizeResponseDto {
    const size = findDynoSize(idOrName);
    if (!size) throw new NotFoundError("Couldn't find that dyno size.");
    return dynoSizeResponse(size);
  }

  @Get('apps/:app_id_or_name/available-dyno-sizes')
  @ApiOperation({
    summary: 'Dyno sizes an app may use',
    description:
      'Private sizes in a Private Space (Shield ones too in a Shield space), the others elsewhere.',
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiOkResponse({ type: [DynoSizeResponseDto] })
  @ApiErrors(404)
  async available(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<DynoSizeResponseDto[]> {
    return sizesFor(await this.access.find(principal, app)).map(dynoSizeResponse);
  }
}
