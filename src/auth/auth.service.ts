import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { PrismaService } from '../database/prisma.service.js';
import { ChangeFeed } from '../events/change-feed.service.js';
import { TokenRepository } from '../store/token.repository.js';
import { ForbiddenError, UnauthorizedError } from '../common/errors/api-errors.js';
import { Principal } from '../common/auth/principal.js';
import { RateLimits } from './rate-limits.service.js';
import { Access, Scope, scopesAllow } from '../common/auth/scopes.js';
import { hashToken, tokenFromAuthorization } from '../common/auth/tokens.js';

/** How long a verified token is trusted without asking the database again. */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 50_000;
/** How long an unknown token is refused without asking the database again. */
const UNKNOWN_TTL_MS = 10_000;
const UNKNOWN_MAX_ENTRIES = 10_000;

interface CachedPrincipal {
  principal: Principal;
  /** When the cached answer must be checked again. */
  recheckAt: number;
  /** When the token itself expires, if ever. */
  expiresAt: number | null;
}

/**
 * Turns a bearer token into a principal. Verified tokens are remembered briefly, so hot
 * machine APIs (router lookups) do not pay a database round trip per request; a revoked
 * token is forgotten at once here and, through the change feed, on every other replica.
 * Unknown tokens are remembered briefly too, and a client address that keeps failing is
 * refused before its tokens are even hashed, so guessing costs no query per guess.
 */
@Injectable()
export class AuthService {
  /** By token hash: what the database is asked by. */
  private readonly cache = new Map<string, CachedPrincipal>();
  /**
   * The same entries by the exact Authorization header, so a repeat costs one Map lookup
   * instead of parsing the header and hashing the token. It holds what requests carry
   * anyway, for as long as the entry is fresh.
   */
  private readonly byHeader = new Map<string, CachedPrincipal>();
  /** Hashes the database did not know, until when they are refused without asking again. */
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokenRepository,
    private readonly limits: RateLimits,
    feed: ChangeFeed,
  ) {
    feed.subscribe((events) => {
      for (const event of events) {
        if (event.action === 'token.revoke' || event.action === 'token.rotate') {
          this.forget(event.data.token_id);
        }
      }
    });
  }

  /**
   * The principal behind an Authorization header, or 401. A token seen in the last few
   * seconds is answered synchronously (no promise): routers' lookups take that path
   * thousands of times a second. Anything else first checks that `from`'s client has not
   * failed too often (429), and counts a 401 against it.
   */
  identify(
    authorization: string | undefined,
    from: IncomingMessage,
  ): Principal | Promise<Principal> {
    const known = authorization === undefined ? undefined : this.byHeader.get(authorization);
    const principal = known && fresh(known);
    if (principal) return principal;
    return this.lookUp(authorization, from);
  }

  /** A token was created: if it was tried before it existed, it is not unknown any more. */
  forgetUnknown(tokenHash: string): void {
    this.unknown.delete(tokenHash);
  }

  private lookUp(
    authorization: string | undefined,
    from: IncomingMessage,
  ): Principal | Promise<Principal> {
    const client = this.limits.clientOf(from);
    this.limits.refuseFailing(client);
    const failed = (error: unknown) => {
      if (error instanceof UnauthorizedError) this.limits.authenticationFailed(client);
      return error;
    };
    try {
      const token = tokenFromAuthorization(authorization);
      if (!token) throw new UnauthorizedError('Invalid credentials provided.');
      const hash = hashToken(token);
      const remember = (entry: CachedPrincipal) => {
        // Spellings of one token (spaces, Basic or Bearer) are entries of their own: bounded too.
        if (this.byHeader.size >= CACHE_MAX_ENTRIES) this.byHeader.clear();
        this.byHeader.set(authorization!, entry);
        return entry.principal;
      };
      const cached = this.cache.get(hash);
      if (cached && fresh(cached)) return remember(cached);
      return this.load(hash).then(remember, (error: unknown) => {
        throw failed(error);
      });
    } catch (error) {
      throw failed(error);
    }
  }

  private async load(hash: string): Promise<CachedPrincipal> {
    const now = Date.now();
    const unknownUntil = this.unknown.get(hash);
    if (unknownUntil !== undefined) {
      if (unknownUntil > now) throw new UnauthorizedError('Invalid credentials provided.');
      this.unknown.delete(hash);
    }
    const found = await this.tokens.findByHash(this.prisma, hash);
    if (!found || (found.expiresAt && found.expiresAt.getTime() <= now)) {
      this.cache.delete(hash);
      // Insertion order is age order: the oldest entry makes room.
      if (this.unknown.size >= UNKNOWN_MAX_ENTRIES)
        this.unknown.delete(this.unknown.keys().next().value!);
      this.unknown.set(hash, now + UNKNOWN_TTL_MS);
      throw new UnauthorizedError('Invalid credentials provided.');
    }
    const entry: CachedPrincipal = {
      principal: {
        accountId: found.accountId,
        email: found.account.email,
        isAdmin: found.account.isAdmin,
        tokenId: found.id,
        scopes: found.scopes as Scope[],
      },
      recheckAt: now + CACHE_TTL_MS,
      expiresAt: found.expiresAt?.getTime() ?? null,
    };
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(hash, entry);
    return entry;
  }

  /** Drops a token from the cache (it was revoked, or its secret replaced). */
  forget(tokenId: string): void {
    for (const map of [this.cache, this.byHeader]) {
      for (const [key, cached] of map) {
        if (cached.principal.tokenId === tokenId) map.delete(key);
      }
    }
  }
}

/** The cached principal while it may be trusted; undefined once due for a recheck. */
function fresh(cached: CachedPrincipal): Principal | undefined {
  const now = Date.now();
  if (cached.recheckAt <= now) return undefined;
  if (cached.expiresAt !== null && cached.expiresAt <= now)
    throw new UnauthorizedError('Invalid credentials provided.');
  return cached.principal;
}

/** 403 unless the principal's token scope and account allow `access`. */
export function checkAccess(principal: Principal, access: Access): void {
  if (!scopesAllow(principal.scopes, access)) {
    throw new ForbiddenError(
      `This token's scope (${principal.scopes.join(', ')}) does not allow this request.`,
    );
  }
  if (access === 'admin' && !principal.isAdmin)
    throw new ForbiddenError('Only an admin account may do this.');
}
