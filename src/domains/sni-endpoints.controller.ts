import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { DomainsService } from './domains.service.js';

@ApiTags('domains')
@Authenticated()
@Controller('apps/:app_id_or_name/sni-endpoints')
export class SniEndpointsController {
  constructor(private readonly domains: DomainsService) {}

  @Get()
  @ApiOperation({
    summary: "An app's SNI endpoints: none",
    description:
      'drydock keeps no certificates, so the list is empty for every app (TLS, if any, ends in front of the routers). ' +
      '`heroku domains:add` reads it to offer a certificate for the new domain.',
  })
  @ApiParam({ name: 'app_id_or_name', description: 'App name or id', example: 'myapp' })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'object' }, maxItems: 0 } })
  @ApiErrors(404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<never[]> {
    return this.domains.sniEndpoints(principal, app);
  }
}
