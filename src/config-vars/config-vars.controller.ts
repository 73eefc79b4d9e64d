import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';

import { ConfigVarsService } from './config-vars.service.js';

const CONFIG_VARS_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string' },
  example: { MAINTENANCE_PAGE_URL: '//s3.amazonaws.com/bucket/page.html', FOO: 'bar' },
} as const;

@ApiTags('config-vars')
@Authenticated()
@Controller('apps/:app_id_or_name/config-vars')
export class ConfigVarsController {
  constructor(private readonly configVars: ConfigVarsService) {}

  @Get()
  @ApiOperation({ summary: "An app's config vars" })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiOkResponse({ schema: CONFIG_VARS_SCHEMA })
  @ApiErrors(404, 503)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<Record<string, string>> {
    return this.configVars.get(principal, app);
  }

  @Patch()
  @ApiOperation({
    summary: 'Set or remove config vars',
    description:
      'String values set, null removes; at most 2,000 keys per request. Each change makes a release ("Set FOO config vars"). Values are stored encrypted ' +
      '(AES-256-GCM). MAINTENANCE_PAGE_URL must be an http(s) or scheme-relative (//host/path) URL: routers serve that page during maintenance. ' +
      'Its host must not name a loopback, private, link-local or other non-public address (nor localhost) unless the operator allows it in MAINTENANCE_PAGE_ALLOWED_HOSTS (422 otherwise).',
  })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: { type: 'string', nullable: true },
      example: { MAINTENANCE_PAGE_URL: '//s3.amazonaws.com/bucket/page.html', OLD_KEY: null },
    },
  })
  @ApiOkResponse({ description: 'All config vars after the change', schema: CONFIG_VARS_SCHEMA })
  @ApiErrors(404, 422, 503)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
    @Body() body: unknown,
  ): Promise<Record<string, string>> {
    return this.configVars.update(principal, app, body);
  }
}
