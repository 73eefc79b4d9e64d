import { Injectable } from '@nestjs/common';
import { AuthService } from '../common/auth/auth.service.js';
import type { Principal } from '../common/auth/principal.js';
import { Scope, SERVICE_SCOPES } from '../common/auth/scopes.js';
import { generateToken, hashToken, tokenSuffix } from '../common/auth/tokens.js';
import { ForbiddenError, NotFoundError } from '../common/errors/api-errors.js';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { recordEvent } from '../events/event-log.js';
import { TokenCreateDto, TokenResponseDto, toTokenResponse } from './tokens.dto.js';

export interface TokenRequest {
  accountId: string;
  scopes: Scope[];
  description?: string;
  expiresInSeconds?: number;
  /** A token chosen by the operator (DRYDOCK_ADMIN_TOKEN); otherwise a random one. */
  token?: string;
  /** The env var the token comes from, so that a new value there can revoke it. */
  bootstrap?: string;
}

@Injectable()
export class TokensService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly auth: AuthService,
  ) {}

  async create(principal: Principal, input: TokenCreateDto): Promise<TokenResponseDto> {
    const scopes = [...new Set(input.scope ?? ['global' as const])];
    const service = scopes.filter((scope) => (SERVICE_SCOPES as readonly string[]).includes(scope));
    if (service.length > 0 && !principal.isAdmin) {
      throw new ForbiddenError(
        `Only an admin may create tokens with the ${service.join(', ')} scope.`,
      );
    }
    return this.issue(this.prisma, {
      accountId: principal.accountId,
      scopes,
      description: input.description,
      expiresInSeconds: input.expires_in,
    });
  }

  /** Stores the hash of a new token and returns it once, in the clear. */
  async issue(tx: PrismaTransaction, request: TokenRequest): Promise<TokenResponseDto> {
    const token = request.token ?? generateToken();
    const tokenHash = hashToken(token);
    const created = await tx.apiToken.create({
      data: {
        accountId: request.accountId,
        tokenHash,
        tokenSuffix: tokenSuffix(token),
        description: request.description ?? '',
        scopes: request.scopes,
        bootstrap: request.bootstrap ?? null,
        expiresAt: request.expiresInSeconds
          ? new Date(Date.now() + request.expiresInSeconds * 1000)
          : null,
      },
      include: { account: true },
    });
    // Only a token chosen by the operator can have been tried before it existed; other
    // replicas refuse it for at most the few seconds they remember unknown tokens.
    this.auth.forgetUnknown(tokenHash);
    return toTokenResponse(created, token);
  }

  async list(principal: Principal): Promise<TokenResponseDto[]> {
    const tokens = await this.prisma.apiToken.findMany({
      where: { accountId: principal.accountId },
      orderBy: { createdAt: 'asc' },
      include: { account: true },
    });
    return tokens.map((token) => toTokenResponse(token));
  }

  async info(principal: Principal, id: string): Promise<TokenResponseDto> {
    return toTokenResponse(await this.findOwn(principal, id));
  }

  async revoke(principal: Principal, id: string): Promise<TokenResponseDto> {
    const token = await this.findOwn(principal, id);
    await this.prisma.$transaction((tx) => this.revokeIn(tx, [token.id], principal.accountId));
    this.auth.forget(token.id);
    return toTokenResponse(token);
  }

  /** Deletes tokens inside the caller's transaction, recording a token.revoke for each. */
  async revokeIn(tx: PrismaTransaction, ids: string[], actorId: string | null): Promise<void> {
    if (!ids.length) return;
    await tx.apiToken.deleteMany({ where: { id: { in: ids } } });
    for (const id of ids) {
      // Every replica drops it from its auth cache when this reaches its change feed.
      await recordEvent(tx, {
        action: 'token.revoke',
        actorId: actorId ?? undefined,
        data: { token_id: id },
      });
    }
  }

  private async findOwn(principal: Principal, id: string) {
    const token = isUuid(id)
      ? await this.prisma.apiToken.findFirst({
          where: { id: id.toLowerCase(), accountId: principal.accountId },
          include: { account: true },
        })
      : null;
    if (!token) throw new NotFoundError("Couldn't find that authorization.");
    return token;
  }
}
