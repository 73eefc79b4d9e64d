import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthService } from './auth.service.js';
import { ACCESS_KEY, AuthenticatedRequest, PUBLIC_KEY } from './authenticated.decorator.js';
import { Access } from './scopes.js';

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
    const access =
      this.reflector.getAllAndOverride<Access>(ACCESS_KEY, targets) ??
      (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
    const principal = await this.auth.authorize(request.headers.authorization, access);
    request.principal = principal;
    return true;
  }
}
