import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../database/prisma.service.js';
import { UnauthorizedError } from '../errors/api-errors.js';
import type { Principal } from './principal.js';
import { Scope } from './scopes.js';
import { hashToken } from './tokens.js';

@Injectable()
export class AuthService {
  constructor(private readonly prisma: PrismaService) {}

  /** The principal behind a token, or 401 when the token is unknown or expired. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new UnauthorizedError('Invalid credentials provided.');
    const found = await this.prisma.apiToken.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { account: true },
    });
    if (!found || (found.expiresAt && found.expiresAt.getTime() <= Date.now())) {
      throw new UnauthorizedError('Invalid credentials provided.');
    }
    return {
      accountId: found.accountId,
      email: found.account.email,
      isAdmin: found.account.isAdmin,
      tokenId: found.id,
      scopes: found.scopes as Scope[],
    };
  }
}
