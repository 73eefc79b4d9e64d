import { Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import type { Principal } from '../common/auth/principal.js';
import { Scope, SERVICE_SCOPES } from '../common/auth/scopes.js';
import { generateToken, hashToken, tokenSuffix } from '../common/auth/tokens.js';
import { ForbiddenError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { recordEvent } from '../events/event-log.js';
import { TokenRepository } from '../store/token.repository.js';
import { TokenCreateDto, TokenResponseDto, TokenUpdateDto, toTokenResponse } from './tokens.dto.js';

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

/** Heroku's OAuth authorizations: the one place tokens are issued and revoked. */
@Injectable()
export class TokensService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokenRepository,
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
    return this.prisma.$transaction((tx) =>
      this.issue(tx, {
        accountId: principal.accountId,
        scopes,
        description: input.description,
        expiresInSeconds: input.expires_in,
      }),
    );
  }

  /**
   * Stores the hash of a new token, records its creation (its id and scopes, never the
   * token), and returns it once, in the clear. Inside the caller's transaction.
   */
  async issue(tx: PrismaTransaction, request: TokenRequest): Promise<TokenResponseDto> {
    const token = request.token ?? generateToken();
    const tokenHash = hashToken(token);
    const created = await this.tokens.create(tx, {
      accountId: request.accountId,
      tokenHash,
      tokenSuffix: tokenSuffix(token),
      description: request.description ?? '',
      scopes: request.scopes,
      bootstrap: request.bootstrap ?? null,
      expiresAt: request.expiresInSeconds
        ? new Date(Date.now() + request.expiresInSeconds * 1000)
        : null,
    });
    await recordEvent(tx, {
      action: 'token.create',
      actorId: request.accountId,
      data: { token_id: created.id, scopes: request.scopes },
    });
    // Only a token chosen by the operator can have been tried before it existed; other
    // replicas refuse it for at most the few seconds they remember unknown tokens.
    this.auth.forgetUnknown(tokenHash);
    return toTokenResponse(created, token);
  }

  async list(principal: Principal): Promise<TokenResponseDto[]> {
    const tokens = await this.tokens.listOf(principal.accountId);
    return tokens.map((token) => toTokenResponse(token));
  }

  async info(principal: Principal, id: string): Promise<TokenResponseDto> {
    return toTokenResponse(await this.findOwn(principal, id));
  }

  async update(principal: Principal, id: string, input: TokenUpdateDto): Promise<TokenResponseDto> {
    const token = await this.findOwn(principal, id);
    const description = input.description;
    if (description === undefined || description === token.description) {
      return toTokenResponse(token);
    }
    const updated = await this.prisma.$transaction(async (tx) => {
      const row = await this.tokens.describe(tx, principal.accountId, token.id, description);
      if (!row) throw new NotFoundError("Couldn't find that authorization.");
      await recordEvent(tx, {
        action: 'token.update',
        actorId: principal.accountId,
        data: { token_id: token.id, description },
      });
      return row;
    });
    return toTokenResponse(updated);
  }

  /**
   * Heroku's regenerate-tokens: the same authorization (id, scopes, expiry) with a new
   * secret, shown once in this answer; the old secret stops working at once, here and,
   * through the change feed, on every other replica.
   */
  async rotate(principal: Principal, id: string): Promise<TokenResponseDto> {
    const token = await this.findOwn(principal, id);
    if (token.bootstrap) {
      throw new InvalidParamsError(
        `This token is configured by the operator (${token.bootstrap}); set a new value there and restart drydock instead.`,
      );
    }
    const secret = generateToken();
    const rotated = await this.prisma.$transaction(async (tx) => {
      const row = await this.tokens.replaceSecret(tx, principal.accountId, token.id, {
        tokenHash: hashToken(secret),
        tokenSuffix: tokenSuffix(secret),
      });
      if (!row) throw new NotFoundError("Couldn't find that authorization.");
      await recordEvent(tx, {
        action: 'token.rotate',
        actorId: principal.accountId,
        data: { token_id: token.id },
      });
      return row;
    });
    this.auth.forget(token.id);
    return toTokenResponse(rotated, secret);
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
    await this.tokens.remove(tx, ids);
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
    const token = await this.tokens.findOwn(principal.accountId, id);
    if (!token) throw new NotFoundError("Couldn't find that authorization.");
    return token;
  }
}
