import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AuthService, checkAccess } from './auth.service.js';
import {
  ACCESS_KEY,
  AuthenticatedRequest,
  PUBLIC_KEY,
} from '../common/auth/authenticated.decorator.js';
import { RateLimits } from './rate-limits.service.js';
import { Access, isMachineAccess } from '../common/auth/scopes.js';

/**
 * Global guard: every route needs a valid token unless marked @Public(). Each request is
 * charged to a budget once its caller is known: the machine APIs' own, or the account's,
 * whose remainder every Platform API answer carries in RateLimit-Remaining, as on Heroku.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const access =
      this.reflector.getAllAndOverride<Access>(ACCESS_KEY, targets) ??
      (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
    const principal = await this.auth.identify(request.headers.authorization, request.raw);
    request.principal = principal;
    if (isMachineAccess(access)) {
      this.limits.chargeMachine(principal);
    } else {
      const remaining = this.limits.chargeAccount(principal);
      void context
        .switchToHttp()
        .getResponse<FastifyReply>()
        .header('RateLimit-Remaining', String(remaining));
    }
    checkAccess(principal, access);
    return true;
  }
}
