import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
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
import { RequestBaseUrl } from '../common/heroku/request-base-url.js';
import { SlugCreateDto, SlugResponseDto } from './slugs.dto.js';
import { SlugsService } from './slugs.service.js';

const APP_PARAM = { name: 'app_id_or_name', example: 'myapp' };

@ApiTags('slugs')
@Authenticated()
@Controller('apps/:app_id_or_name/slugs')
export class SlugsController {
  constructor(private readonly slugs: SlugsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a slug',
    description:
      'Heroku: the process types and commit of code to come. PUT the archive (a gzipped tarball of ./app, ' +
      'as `tar czf slug.tgz ./app` makes) to `blob.url`, then release it with POST /apps/{app}/releases {"slug": id}. The stack defaults to the app\'s.',
  })
  @ApiParam(APP_PARAM)
  @ApiCreatedResponse({ type: SlugResponseDto })
  @ApiErrors(404, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: SlugCreateDto,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<SlugResponseDto> {
    return this.slugs.create(principal, app, body, baseUrl);
  }

  @Get(':slug_id')
  @ApiOperation({
    summary: 'Slug info',
    description: '`blob` is a download URL for the archive, good for SLUG_URL_TTL_SECONDS.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam({ name: 'slug_id', format: 'uuid' })
  @ApiOkResponse({ type: SlugResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('slug_id') slug: string,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<SlugResponseDto> {
    return this.slugs.info(principal, app, slug, baseUrl);
  }
}
