import { Controller, Get, Param, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { SlugsService } from './slugs.service.js';

/** What dyno managers run: the slug archives of releases (docs/dyno-manager-api.md). */
@ApiTags('dyno managers')
@Authenticated('dyno-manager')
@Controller('dyno-manager/v1/slugs')
export class SlugArchivesController {
  constructor(private readonly slugs: SlugsService) {}

  @Get(':slug_id/archive')
  @ApiOperation({
    summary: "A slug's archive",
    description:
      'The gzipped tarball of ./app, streamed, for dyno-manager tokens (or admins). 404 for a slug without an uploaded archive.',
  })
  @ApiParam({ name: 'slug_id', format: 'uuid' })
  @ApiProduces('application/gzip')
  @ApiOkResponse({
    description: 'The gzipped tarball',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiErrors(404)
  async archive(
    @CurrentPrincipal() principal: Principal,
    @Param('slug_id') slugId: string,
  ): Promise<StreamableFile> {
    const archive = await this.slugs.archiveForManager(principal, slugId);
    return new StreamableFile(archive.stream, { type: 'application/gzip', length: archive.size });
  }
}
