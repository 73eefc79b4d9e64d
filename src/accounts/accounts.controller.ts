import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import {
  AccountCreateDto,
  AccountCreatedDto,
  AccountResponseDto,
  AccountUpdateDto,
} from './accounts.dto.js';
import { AccountsService } from './accounts.service.js';

@ApiTags('accounts')
@Controller()
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('account')
  @Authenticated('identity')
  @ApiOperation({
    summary: 'Your account',
    description: 'Heroku: GET /account (heroku auth:whoami).',
  })
  @ApiOkResponse({ type: AccountResponseDto })
  current(@CurrentPrincipal() principal: Principal): Promise<AccountResponseDto> {
    return this.accounts.current(principal);
  }

  @Patch('account')
  @Authenticated('account')
  @ApiOperation({ summary: 'Update your account' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiErrors(422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AccountUpdateDto,
  ): Promise<AccountResponseDto> {
    return this.accounts.updateCurrent(principal, body ?? {});
  }

  @Post('accounts')
  @HttpCode(201)
  @Authenticated('admin')
  @ApiOperation({
    summary: 'Create an account (admin)',
    description:
      'drydock extension: Heroku has sign-up instead. Returns the account and its first global token, shown once.',
  })
  @ApiCreatedResponse({ type: AccountCreatedDto })
  @ApiErrors(422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AccountCreateDto,
  ): Promise<AccountCreatedDto> {
    return this.accounts.create(principal, body);
  }

  @Get('accounts')
  @Authenticated('admin')
  @ApiOperation({ summary: 'List accounts (admin)' })
  @ApiOkResponse({ type: [AccountResponseDto] })
  list(): Promise<AccountResponseDto[]> {
    return this.accounts.list();
  }
}
