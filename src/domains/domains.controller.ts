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
import { ListRangeHeader, Paginated } from '../common/heroku/paginated.decorator.js';
import { Page } from '../common/heroku/range.js';
import type { ListRange } from '../common/heroku/range.js';
import { DomainCreateDto, DomainResponseDto } from './domains.dto.js';
import { DOMAIN_RANGE_FIELDS, DomainsService } from './domains.service.js';

const APP_PARAM = { name: 'app_id_or_name', description: 'App name or id', example: 'myapp' };
const DOMAIN_PARAM = {
  name: 'domain_id_or_hostname',
  description: "The domain's id or host name (case and a trailing dot do not matter)",
  example: 'www.example.com',
};

@ApiTags('domains')
@Authenticated()
@Controller('apps/:app_id_or_name/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Get()
  @ApiOperation({
    summary: "An app's domains",
    description:
      'Its default domain `<app>.<APPS_DOMAIN>` (kind heroku) and its custom domains, in id order. `heroku domains` reads this.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse({ type: [DomainResponseDto] })
  @ApiErrors(404, 416)
  @Paginated(DOMAIN_RANGE_FIELDS)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @ListRangeHeader({ fields: DOMAIN_RANGE_FIELDS }) range: ListRange,
  ): Promise<Page<DomainResponseDto>> {
    return this.domains.list(principal, app, range);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add a custom domain',
    description:
      'Routers send requests for the host name to the app (its maintenance page included) as soon as this answers; point its DNS at `cname`. ' +
      'A host name belongs to one app at most: taken is a 409. Wildcards, IP addresses, names under APPS_DOMAIN and malformed names are a 422. ' +
      'No release is cut. `heroku domains:add www.example.com` sends this.',
  })
  @ApiParam(APP_PARAM)
  @ApiCreatedResponse({ type: DomainResponseDto })
  @ApiErrors(404, 409, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: DomainCreateDto,
  ): Promise<DomainResponseDto> {
    return this.domains.create(principal, app, body);
  }

  @Get(':domain_id_or_hostname')
  @ApiOperation({
    summary: 'A domain, by id or host name',
    description: '`heroku domains:info` and `heroku domains:wait` read this.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(DOMAIN_PARAM)
  @ApiOkResponse({ type: DomainResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('domain_id_or_hostname') domain: string,
  ): Promise<DomainResponseDto> {
    return this.domains.info(principal, app, domain);
  }

  @Delete(':domain_id_or_hostname')
  @ApiOperation({
    summary: 'Remove a custom domain',
    description:
      'Routers stop sending the host name to the app. The default domain cannot be removed (422). `heroku domains:remove` sends this.',
  })
  @ApiParam(APP_PARAM)
  @ApiParam(DOMAIN_PARAM)
  @ApiOkResponse({ type: DomainResponseDto })
  @ApiErrors(404, 422)
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Param('domain_id_or_hostname') domain: string,
  ): Promise<DomainResponseDto> {
    return this.domains.remove(principal, app, domain);
  }
}
