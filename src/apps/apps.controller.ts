import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import { Page } from '../common/heroku/range.js';
import { RequestBaseUrl } from '../common/heroku/request-base-url.js';
import type { ListRange } from '../common/heroku/range.js';
import { AppCreateDto, AppResponseDto, AppUpdateDto, TeamAppCreateDto } from './apps.dto.js';
import { APP_RANGE_FIELDS, AppsService } from './apps.service.js';

const APP_PARAM = { name: 'app_id_or_name', description: 'App name or id', example: 'myapp' };

@ApiTags('apps')
@Authenticated()
@Controller()
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  @Post('apps')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an app',
    description: 'Heroku: POST /apps. Optionally in a Space.',
  })
  @ApiCreatedResponse({ type: AppResponseDto })
  @ApiErrors(404, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AppCreateDto,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<AppResponseDto> {
    return this.apps.create(principal, body ?? {}, baseUrl);
  }

  @Post('teams/apps')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an app (team form)',
    description:
      'What `heroku apps:create --space S` sends. drydock has no teams: a team is refused.',
  })
  @ApiCreatedResponse({ type: AppResponseDto })
  @ApiErrors(404, 422)
  createInTeam(
    @CurrentPrincipal() principal: Principal,
    @Body() body: TeamAppCreateDto,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<AppResponseDto> {
    return this.apps.create(principal, body ?? {}, baseUrl);
  }

  @Get('apps')
  @ApiOperation({
    summary: 'List apps',
    description: 'The apps you own or collaborate on (an admin sees all).',
  })
  @ApiOkResponse({ type: [AppResponseDto] })
  @Paginated(APP_RANGE_FIELDS)
  list(
    @CurrentPrincipal() principal: Principal,
    @ListRangeHeader({ fields: APP_RANGE_FIELDS }) range: ListRange,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<Page<AppResponseDto>> {
    return this.apps.list(principal, range, baseUrl);
  }

  @Get('users/:account_email_or_id_or_self/apps')
  @ApiOperation({
    summary: "List an account's apps",
    description:
      'What `heroku apps` asks for (`/users/~/apps`): the apps the account owns or collaborates on. Only your own, unless you are an admin.',
  })
  @ApiParam({
    name: 'account_email_or_id_or_self',
    example: '~',
    description: '~ for yourself, an email or an account id',
  })
  @ApiOkResponse({ type: [AppResponseDto] })
  @ApiErrors(404)
  @Paginated(APP_RANGE_FIELDS)
  listForAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('account_email_or_id_or_self') account: string,
    @ListRangeHeader({ fields: APP_RANGE_FIELDS }) range: ListRange,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<Page<AppResponseDto>> {
    return this.apps.listForAccount(principal, account, range, baseUrl);
  }

  @Get('teams/:team_name_or_id/apps')
  @ApiOperation({
    summary: "List a team's apps",
    description:
      "drydock has no teams: each account is its own team, named by its email (a space's team). What `heroku apps --space S` asks for.",
  })
  @ApiParam({
    name: 'team_name_or_id',
    example: 'dev@example.com',
    description: 'The email or id of the owning account',
  })
  @ApiOkResponse({ type: [AppResponseDto] })
  @ApiErrors(404)
  @Paginated(APP_RANGE_FIELDS)
  listForTeam(
    @CurrentPrincipal() principal: Principal,
    @Param('team_name_or_id') team: string,
    @ListRangeHeader({ fields: APP_RANGE_FIELDS }) range: ListRange,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<Page<AppResponseDto>> {
    return this.apps.listForAccount(principal, team, range, baseUrl);
  }

  @Get('apps/:app_id_or_name')
  @ApiOperation({
    summary: 'App info',
    description:
      'With `?extended=true` (`heroku apps:info -x`) also `extended`: the current release, its slug and the maintenance state.',
  })
  @ApiParam(APP_PARAM)
  @ApiQuery({ name: 'extended', required: false, type: Boolean, example: true })
  @ApiOkResponse({ type: AppResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Query('extended') extended: string | undefined,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<AppResponseDto> {
    return this.apps.info(principal, app, baseUrl, extended === 'true');
  }

  @Patch('apps/:app_id_or_name')
  @ApiOperation({
    summary: 'Update an app',
    description:
      'Rename it (the owner only), switch maintenance mode, or set the stack of its next deploy (`heroku stack:set`).',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: AppResponseDto })
  @ApiErrors(404, 422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: AppUpdateDto,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<AppResponseDto> {
    return this.apps.update(principal, app, body ?? {}, baseUrl);
  }

  @Delete('apps/:app_id_or_name')
  @ApiOperation({
    summary: 'Delete an app',
    description:
      'With its formation, dynos, config vars, releases and collaborators. The owner only (or an admin).',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: AppResponseDto })
  @ApiErrors(404)
  destroy(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @RequestBaseUrl() baseUrl: string,
  ): Promise<AppResponseDto> {
    return this.apps.destroy(principal, app, baseUrl);
  }
}
