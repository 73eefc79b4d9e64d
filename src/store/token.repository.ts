import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Account, ApiToken } from '../generated/prisma/client.js';

export type TokenWithAccount = ApiToken & { account: Account };

/** The api_tokens table's queries. Tokens are stored only as their hash. */
@Injectable()
export class TokenRepository {
  constructor(private readonly prisma: PrismaService) {}

  findByHash(db: PrismaTransaction, tokenHash: string): Promise<TokenWithAccount | null> {
    return db.apiToken.findUnique({ where: { tokenHash }, include: { account: true } });
  }

  create(
    tx: PrismaTransaction,
    token: {
      accountId: string;
      tokenHash: string;
      tokenSuffix: string;
      description: string;
      scopes: string[];
      bootstrap: string | null;
      expiresAt: Date | null;
    },
  ): Promise<TokenWithAccount> {
    return tx.apiToken.create({ data: token, include: { account: true } });
  }

  listOf(accountId: string): Promise<TokenWithAccount[]> {
    return this.prisma.apiToken.findMany({
      where: { accountId },
      orderBy: { createdAt: 'asc' },
      include: { account: true },
    });
  }

  /** The account's own token by id; null for anyone else's. */
  findOwn(accountId: string, id: string): Promise<TokenWithAccount | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.apiToken.findFirst({
      where: { id: id.toLowerCase(), accountId },
      include: { account: true },
    });
  }

  /** Sets the account's token's description; null when it has no such token (any more). */
  async describe(
    tx: PrismaTransaction,
    accountId: string,
    id: string,
    description: string,
  ): Promise<TokenWithAccount | null> {
    const { count } = await tx.apiToken.updateMany({
      where: { id, accountId },
      data: { description },
    });
    return count ? tx.apiToken.findUnique({ where: { id }, include: { account: true } }) : null;
  }

  /**
   * Gives the account's token a new secret in one statement, so the old one stops working
   * the moment the new one starts. Configured tokens keep theirs: their value lives in an
   * env var or DATA_DIR. Null when there is no such token.
   */
  async replaceSecret(
    tx: PrismaTransaction,
    accountId: string,
    id: string,
    secret: { tokenHash: string; tokenSuffix: string },
  ): Promise<TokenWithAccount | null> {
    const { count } = await tx.apiToken.updateMany({
      where: { id, accountId, bootstrap: null },
      data: secret,
    });
    return count ? tx.apiToken.findUnique({ where: { id }, include: { account: true } }) : null;
  }

  remove(tx: PrismaTransaction, ids: string[]): Promise<void> {
    return tx.apiToken.deleteMany({ where: { id: { in: ids } } }).then(() => undefined);
  }

  /** Tokens configured from `variable` (DRYDOCK_ADMIN_TOKEN, ...) other than `keep`. */
  async bootstrapIds(tx: PrismaTransaction, variable: string, keep: string): Promise<string[]> {
    const rows = await tx.apiToken.findMany({
      where: { bootstrap: variable, id: { not: keep } },
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  /** Re-purposes a configured token: its scopes, the env var it now comes from. */
  update(
    tx: PrismaTransaction,
    id: string,
    change: { scopes?: string[]; bootstrap?: string },
  ): Promise<void> {
    return tx.apiToken.update({ where: { id }, data: change }).then(() => undefined);
  }
}
