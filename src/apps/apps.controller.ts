import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
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
  ): Promise<AppResponseDto> {
    return this.apps.create(principal, body ?? {});
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
  ): Promise<AppResponseDto> {
    return this.apps.create(principal, body ?? {});
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
  ): Promise<Page<AppResponseDto>> {
    return this.apps.list(principal, range);
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
  ): Promise<Page<AppResponseDto>> {
    return this.apps.listForAccount(principal, account, range);
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
  ): Promise<Page<AppResponseDto>> {
    return this.apps.listForAccount(principal, team, range);
  }

  @Get('apps/:app_id_or_name')
  @ApiOperation({ summary: 'App info' })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: AppResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<AppResponseDto> {
    return this.apps.info(principal, app);
  }

  @Patch('apps/:app_id_or_name')
  @ApiOperation({
    summary: 'Update an app',
    description: 'Rename it (the owner only), or switch maintenance mode.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: AppResponseDto })
  @ApiErrors(404, 422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: AppUpdateDto,
  ): Promise<AppResponseDto> {
    return this.apps.update(principal, app, body ?? {});
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
  ): Promise<AppResponseDto> {
    return this.apps.destroy(principal, app);
  }
}
