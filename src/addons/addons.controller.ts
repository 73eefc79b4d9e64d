import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AppAccess } from '../app-changes/app-access.service.js';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';

/**
 * drydock provisions no add-ons, so every app's list is empty. It is served because
 * `heroku apps:info` treats a failure of this call as fatal.
 */
@ApiTags('apps')
@Authenticated()
@Controller('apps/:app_id_or_name/addons')
export class AddonsController {
  constructor(private readonly access: AppAccess) {}

  @Get()
  @ApiOperation({
    summary: "List an app's add-ons",
    description: 'Always empty: drydock provisions no add-ons.',
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'object' }, example: [] } })
  @ApiErrors(404)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<never[]> {
    await this.access.find(principal, app);
    return [];
  }
}
