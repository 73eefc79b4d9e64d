import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '../errors/api-errors.js';
import { AuthService } from './auth.service.js';
import { ACCESS_KEY, AuthenticatedRequest, PUBLIC_KEY } from './authenticated.decorator.js';
import { Access, scopesAllow } from './scopes.js';
import { tokenFromAuthorization } from './tokens.js';

/** Global guard: every route needs a valid token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.auth.authenticate(
      tokenFromAuthorization(request.headers.authorization),
    );
    const access =
      this.reflector.getAllAndOverride<Access>(ACCESS_KEY, targets) ??
      (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');

    if (!scopesAllow(principal.scopes, access)) {
      throw new ForbiddenError(
        `This token's scope (${principal.scopes.join(', ')}) does not allow this request.`,
      );
    }
    if (access === 'admin' && !principal.isAdmin) {
      throw new ForbiddenError('Only an admin account may do this.');
    }
    request.principal = principal;
    return true;
  }
}
