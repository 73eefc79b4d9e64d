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
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import { Page } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { ReleaseCreateDto, ReleaseResponseDto } from './releases.dto.js';
import { RELEASE_RANGE_FIELDS, ReleasesService } from './releases.service.js';

const APP_PARAM = { name: 'app_id_or_name', example: 'myapp' };
const RELEASE_PARAM = {
  name: 'release_id_or_version',
  example: '3',
  description: 'Version (3 or v3) or release id',
};

@ApiTags('releases')
@Authenticated()
@Controller('apps/:app_id_or_name/releases')
export class ReleasesController {
  constructor(private readonly releases: ReleasesService) {}

  @Get()
  @ApiOperation({
    summary: "List an app's releases",
    description:
      'Oldest first; `Range: version ..; max=15, order=desc` for the newest (what `heroku releases` sends).',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [ReleaseResponseDto] })
  @ApiErrors(404, 416)
  @Paginated(RELEASE_RANGE_FIELDS)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @ListRangeHeader({ fields: RELEASE_RANGE_FIELDS }) range: ListRange,
  ): Promise<Page<ReleaseResponseDto>> {
    return this.releases.list(principal, app, range);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Release a slug, or roll back to a release',
    description:
      '`{"slug": id}`: a new release running that slug (uploaded, of this app), its process types declared as the ' +
      'formation (new ones scaled as on a first deploy), described "Deploy <commit>" unless `description` says otherwise. ' +
      '`{"release": "vN"}`, what `heroku releases:rollback [vN]` sends: a new release with the config vars, process types and slug of vN, ' +
      'described "Rollback to vN". Either restarts every dyno on the new release. 422 for a slug without an archive, or a release ' +
      'that cannot be rolled back to (eligible_for_rollback).',
  })
  @ApiParam(APP_PARAM)
  @ApiCreatedResponse({ type: ReleaseResponseDto })
  @ApiErrors(403, 404, 422, 503)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: ReleaseCreateDto,
  ): Promise<ReleaseResponseDto> {
    return this.releases.create(principal, app, body);
  }

  @Get(':release_id_or_version')
  @ApiOperation({ summary: 'Release info' })
  @ApiParam(APP_PARAM)
  @ApiParam(RELEASE_PARAM)
  @ApiOkResponse({ type: ReleaseResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('release_id_or_version') release: string,
  ): Promise<ReleaseResponseDto> {
    return this.releases.info(principal, app, release);
  }

  @Get(':release_id_or_version/config-vars')
  @ApiOperation({
    summary: 'Config vars at a release',
    description: 'The whole set of config vars as of that release.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(RELEASE_PARAM)
  @ApiOkResponse({
    schema: { type: 'object', additionalProperties: { type: 'string' }, example: { FOO: 'bar' } },
  })
  @ApiErrors(404, 503)
  configVars(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('release_id_or_version') release: string,
  ): Promise<Record<string, string>> {
    return this.releases.configVars(principal, app, release);
  }
}
