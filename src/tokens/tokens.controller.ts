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
import { TokenCreateDto, TokenResponseDto, TokenUpdateDto } from './tokens.dto.js';
import { TokensService } from './tokens.service.js';

const ID_PARAM = {
  name: 'oauth_authorization_id',
  description: 'Authorization (token) id',
  format: 'uuid',
};

/** API tokens, as Heroku's OAuth authorizations (`heroku authorizations:*`). */
@ApiTags('tokens')
@Authenticated('account')
@Controller('oauth/authorizations')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an API token',
    description:
      'The token is in access_token.token of this response only; drydock keeps just its hash.',
  })
  @ApiCreatedResponse({ type: TokenResponseDto })
  @ApiErrors(422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: TokenCreateDto,
  ): Promise<TokenResponseDto> {
    return this.tokens.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: 'List your API tokens' })
  @ApiOkResponse({ type: [TokenResponseDto] })
  list(@CurrentPrincipal() principal: Principal): Promise<TokenResponseDto[]> {
    return this.tokens.list(principal);
  }

  @Get(':oauth_authorization_id')
  @ApiOperation({ summary: 'API token info' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(404)
  info(
    @CurrentPrincipal() principal: Principal,
    @Param('oauth_authorization_id') id: string,
  ): Promise<TokenResponseDto> {
    return this.tokens.info(principal, id);
  }

  @Patch(':oauth_authorization_id')
  @ApiOperation({ summary: "Change an API token's description" })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(404, 422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('oauth_authorization_id') id: string,
    @Body() body: TokenUpdateDto,
  ): Promise<TokenResponseDto> {
    return this.tokens.update(principal, id, body);
  }

  @Post(':oauth_authorization_id/actions/regenerate-tokens')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate an API token',
    description:
      'Issues a new token for the same authorization (id, scopes, expiry) and invalidates the old one at once. The new token is in access_token.token of this response only. Tokens configured by the operator (DRYDOCK_ADMIN_TOKEN, ...) are rotated where they are configured.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(404, 422)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('oauth_authorization_id') id: string,
  ): Promise<TokenResponseDto> {
    return this.tokens.rotate(principal, id);
  }

  @Delete(':oauth_authorization_id')
  @ApiOperation({ summary: 'Revoke an API token' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(404)
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('oauth_authorization_id') id: string,
  ): Promise<TokenResponseDto> {
    return this.tokens.revoke(principal, id);
  }
}
