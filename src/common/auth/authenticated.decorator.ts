import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { HerokuErrorDto } from '../heroku/heroku-error.dto.js';
import type { Principal } from './principal.js';
import { Access } from './scopes.js';

export const ACCESS_KEY = 'drydock:access';
export const PUBLIC_KEY = 'drydock:public';

/**
 * Marks what a route needs from the caller's token and documents the bearer security
 * (and the rate limits behind it) in OpenAPI. Without it, GET routes need `read` and
 * everything else `write`.
 */
export function Authenticated(access?: Access): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...(access ? [SetMetadata(ACCESS_KEY, access)] : []),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'Missing, unknown or expired token',
      type: HerokuErrorDto,
    }),
    ApiForbiddenResponse({
      description: 'The token or account may not do this',
      type: HerokuErrorDto,
    }),
    ApiTooManyRequestsResponse({
      description: 'rate_limit: a request budget is spent; Retry-After says when to try again',
      type: HerokuErrorDto,
    }),
  );
}

/** Routes anyone may call: health checks and docs. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The principal the AuthGuard attached to the request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal)
      throw new Error('CurrentPrincipal used on a route without authentication');
    return request.principal;
  },
);
