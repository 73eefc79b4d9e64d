import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AppAccess } from '../app-changes/app-access.service.js';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { Expandable } from '../common/heroku/accept-expansion.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';

const APP_PARAM = { name: 'app_id_or_name', example: 'myapp' };
const EMPTY_LIST = { schema: { type: 'array', items: { type: 'object' }, example: [] } };

/**
 * drydock provisions no add-ons, so every list of add-ons and of their attachments is
 * empty. They are served because `heroku apps:info` treats a failure of the app's list as
 * fatal and `heroku addons` reads them to say there are none.
 */
@ApiTags('add-ons')
@Authenticated()
@Controller()
export class AddonsController {
  constructor(private readonly access: AppAccess) {}

  @Get('addons')
  @ApiOperation({
    summary: 'List your add-ons',
    description: 'Always empty: drydock provisions no add-ons.',
  })
  @Expandable('addon_service', 'plan')
  @ApiOkResponse(EMPTY_LIST)
  listAll(): never[] {
    return [];
  }

  @Get('addon-attachments')
  @ApiOperation({
    summary: 'List your add-on attachments',
    description: 'Always empty: drydock provisions no add-ons.',
  })
  @ApiOkResponse(EMPTY_LIST)
  listAllAttachments(): never[] {
    return [];
  }

  @Get('apps/:app_id_or_name/addons')
  @ApiOperation({
    summary: "List an app's add-ons",
    description: 'Always empty: drydock provisions no add-ons.',
  })
  @ApiParam(APP_PARAM)
  @Expandable('addon_service', 'plan')
  @ApiOkResponse(EMPTY_LIST)
  @ApiErrors(404)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<never[]> {
    await this.access.find(principal, app);
    return [];
  }

  @Get('apps/:app_id_or_name/addon-attachments')
  @ApiOperation({
    summary: "List an app's add-on attachments",
    description: 'Always empty: drydock provisions no add-ons.',
  })
  @ApiParam(APP_PARAM)
  @ApiOkResponse(EMPTY_LIST)
  @ApiErrors(404)
  async listAttachments(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<never[]> {
    await this.access.find(principal, app);
    return [];
  }
}
