import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../database/prisma.service.js';
import { ChangeFeed } from '../../events/change-feed.service.js';
import { ForbiddenError, UnauthorizedError } from '../errors/api-errors.js';
import { Principal } from './principal.js';
import { Access, Scope, scopesAllow } from './scopes.js';
import { hashToken, tokenFromAuthorization } from './tokens.js';

/** How long a verified token is trusted without asking the database again. */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 50_000;

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

  constructor(
    private readonly prisma: PrismaService,
    feed: ChangeFeed,
  ) {
    feed.subscribe((events) => {
      for (const event of events) {
        if (event.action === 'token.revoke' && typeof event.data.token_id === 'string')
          this.forget(event.data.token_id);
      }
    });
  }

  /**
   * The principal behind an Authorization header, if its token may have `access`:
   * 401 without a valid token, 403 when its scope or account does not allow it. A token
   * seen in the last few seconds is answered synchronously (no promise): routers' lookups
   * take that path thousands of times a second.
   */
  authorize(authorization: string | undefined, access: Access): Principal | Promise<Principal> {
    const known = authorization === undefined ? undefined : this.byHeader.get(authorization);
    const principal = known && fresh(known);
    if (principal) return allow(principal, access);
    const token = tokenFromAuthorization(authorization);
    if (!token) throw new UnauthorizedError('Invalid credentials provided.');
    const hash = hashToken(token);
    const remember = (entry: CachedPrincipal) => {
      // Spellings of one token (spaces, Basic or Bearer) are entries of their own: bounded too.
      if (this.byHeader.size >= CACHE_MAX_ENTRIES) this.byHeader.clear();
      this.byHeader.set(authorization!, entry);
      return allow(entry.principal, access);
    };
    const cached = this.cache.get(hash);
    return cached && fresh(cached) ? remember(cached) : this.load(hash).then(remember);
  }

  /** The principal behind a token, or 401 when the token is unknown or expired. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new UnauthorizedError('Invalid credentials provided.');
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    return (cached && fresh(cached)) || (await this.load(hash)).principal;
  }

  private async load(hash: string): Promise<CachedPrincipal> {
    const now = Date.now();
    const found = await this.prisma.apiToken.findUnique({
      where: { tokenHash: hash },
      include: { account: true },
    });
    if (!found || (found.expiresAt && found.expiresAt.getTime() <= now)) {
      this.cache.delete(hash);
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

  /** Drops a token from the cache (it was revoked). */
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

function allow(principal: Principal, access: Access): Principal {
  if (!scopesAllow(principal.scopes, access)) {
    throw new ForbiddenError(
      `This token's scope (${principal.scopes.join(', ')}) does not allow this request.`,
    );
  }
  if (access === 'admin' && !principal.isAdmin)
    throw new ForbiddenError('Only an admin account may do this.');
  return principal;
}
