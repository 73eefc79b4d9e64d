import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AppAccess } from '../app-changes/app-access.service.js';
import { Authenticated, CurrentPrincipal } from '../common/auth/authenticated.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { NotFoundError } from '../common/errors/api-errors.js';
import { ApiErrors } from '../common/heroku/api-errors.decorator.js';
import { DEFAULT_STACK, findStack, STACKS, type Stack } from '../common/heroku/catalogue.js';

/** Heroku's Stack resource. */
export class StackResponseDto {
  @ApiProperty({ example: '2026-11-27T00:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: true, description: 'The stack new apps get when they name none' })
  default!: boolean;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'heroku-24' }) name!: string;
  @ApiProperty({ example: 'public', description: 'beta, deprecated or public' }) state!: string;
  @ApiProperty({ example: '2026-11-27T00:00:00.000Z' }) updated_at!: string;
}

function stackResponse(stack: Stack): StackResponseDto {
  return {
    created_at: stack.since,
    default: stack.name === DEFAULT_STACK,
    id: stack.id,
    name: stack.name,
    state: stack.state,
    updated_at: stack.since,
  };
}

/** The stacks apps may be created on, set to (stack:set) and slugs made for. */
@ApiTags('apps')
@Authenticated()
@Controller()
export class StacksController {
  constructor(private readonly access: AppAccess) {}

  @Get('stacks')
  @ApiOperation({
    summary: 'Stacks',
    description: 'What `heroku stack` lists. drydock builds nothing: a stack labels slugs.',
  })
  @ApiOkResponse({ type: [StackResponseDto] })
  list(): StackResponseDto[] {
    return STACKS.map(stackResponse);
  }

  @Get('stacks/:stack_id_or_name')
  @ApiOperation({ summary: 'Stack info' })
  @ApiParam({ name: 'stack_id_or_name', example: 'heroku-24' })
  @ApiOkResponse({ type: StackResponseDto })
  @ApiErrors(404)
  info(@Param('stack_id_or_name') idOrName: string): StackResponseDto {
    const stack = findStack(idOrName);
    if (!stack) throw new NotFoundError("Couldn't find that stack.");
    return stackResponse(stack);
  }

  @Get('apps/:app_id_or_name/available-stacks')
  @ApiOperation({ summary: 'Stacks an app may use', description: 'Every stack, for every app.' })
  @ApiParam({ name: 'app_id_or_name', example: 'myapp' })
  @ApiOkResponse({ type: [StackResponseDto] })
  @ApiErrors(404)
  async available(
    @CurrentPrincipal() principal: Principal,
    @Param('app_id_or_name') app: string,
  ): Promise<StackResponseDto[]> {
    await this.access.find(principal, app);
    return STACKS.map(stackResponse);
  }
}
