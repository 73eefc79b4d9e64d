import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { hashToken } from '../common/auth/tokens.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { PrismaService } from '../database/prisma.service.js';
import { isUniqueViolation } from '../database/prisma-errors.js';
import { TokensService } from '../tokens/tokens.service.js';
import {
  AccountCreateDto,
  AccountCreatedDto,
  AccountResponseDto,
  AccountUpdateDto,
  toAccountResponse,
} from './accounts.dto.js';

export const BOOTSTRAP_ADMIN_EMAIL = 'admin@drydock.local';

/** Serializes admin bootstrap across replicas booting at once. */
const ADMIN_BOOTSTRAP_LOCK = 72_736_105;

export type AdminBootstrap =
  { outcome: 'configured' } | { outcome: 'existing' } | { outcome: 'generated'; token: string };

@Injectable()
export class AccountsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokensService,
  ) {}

  async current(principal: Principal): Promise<AccountResponseDto> {
    const account = await this.prisma.account.findUnique({ where: { id: principal.accountId } });
    if (!account) throw new NotFoundError("Couldn't find that account.");
    return toAccountResponse(account);
  }

  async updateCurrent(principal: Principal, input: AccountUpdateDto): Promise<AccountResponseDto> {
    const account = await this.prisma.account.update({
      where: { id: principal.accountId },
      data: input.name !== undefined ? { name: input.name } : {},
    });
    return toAccountResponse(account);
  }

  async list(): Promise<AccountResponseDto[]> {
    const accounts = await this.prisma.account.findMany({ orderBy: { createdAt: 'asc' } });
    return accounts.map(toAccountResponse);
  }

  /** An admin creates an account together with its first global token. */
  async create(input: AccountCreateDto): Promise<AccountCreatedDto> {
    const email = input.email.toLowerCase();
    try {
      return await this.prisma.$transaction(async (tx) => {
        const account = await tx.account.create({
          data: { email, name: input.name ?? null, isAdmin: input.admin ?? false },
        });
        const token = await this.tokens.issue(tx, {
          accountId: account.id,
          scopes: ['global'],
          description: 'Created with the account',
        });
        return { ...toAccountResponse(account), token: token.access_token.token };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new InvalidParamsError(`Email ${email} is already taken`);
      throw error;
    }
  }

  /**
   * Guarantees an admin at boot. With DRYDOCK_ADMIN_TOKEN, that token belongs to an admin;
   * without it, the first boot on an empty database generates one.
   */
  async ensureAdmin(configuredToken: string | undefined): Promise<AdminBootstrap> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_BOOTSTRAP_LOCK})`;
      if (configuredToken) {
        const existing = await tx.apiToken.findUnique({
          where: { tokenHash: hashToken(configuredToken) },
          include: { account: true },
        });
        if (existing) {
          if (!existing.account.isAdmin || !existing.scopes.includes('global')) {
            await tx.account.update({ where: { id: existing.accountId }, data: { isAdmin: true } });
            await tx.apiToken.update({ where: { id: existing.id }, data: { scopes: ['global'] } });
          }
          return { outcome: 'configured' };
        }
      } else if (await tx.account.findFirst({ where: { isAdmin: true }, select: { id: true } })) {
        return { outcome: 'existing' };
      }
      const admin = await tx.account.upsert({
        where: { email: BOOTSTRAP_ADMIN_EMAIL },
        create: { email: BOOTSTRAP_ADMIN_EMAIL, name: 'drydock admin', isAdmin: true },
        update: { isAdmin: true },
      });
      const issued = await this.tokens.issue(tx, {
        accountId: admin.id,
        scopes: ['global'],
        description: configuredToken ? 'DRYDOCK_ADMIN_TOKEN' : 'Generated at first start',
        token: configuredToken,
      });
      return configuredToken
        ? { outcome: 'configured' }
        : { outcome: 'generated', token: issued.access_token.token };
    });
  }
}
