import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import type { Scope } from '../common/auth/scopes.js';
import { hashToken } from '../common/auth/tokens.js';
import { InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { StartupError } from '../common/errors/startup-error.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { isUniqueViolation } from '../database/prisma-errors.js';
import { recordEvent } from '../events/event-log.js';
import { AccountRepository } from '../store/account.repository.js';
import { TokenRepository } from '../store/token.repository.js';
import { TokensService } from '../tokens/tokens.service.js';
import {
  AccountCreateDto,
  AccountCreatedDto,
  AccountResponseDto,
  AccountUpdateDto,
  toAccountResponse,
} from './accounts.dto.js';

export const BOOTSTRAP_ADMIN_EMAIL = 'admin@drydock.local';
const ADMIN_TOKEN_VAR = 'DRYDOCK_ADMIN_TOKEN';
const ROUTER_TOKEN_VAR = 'DRYDOCK_ROUTER_TOKEN';

export type AdminBootstrap =
  { outcome: 'configured' } | { outcome: 'existing' } | { outcome: 'generated'; token: string };

@Injectable()
export class AccountsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: AccountRepository,
    private readonly tokenRows: TokenRepository,
    private readonly tokens: TokensService,
  ) {}

  async current(principal: Principal): Promise<AccountResponseDto> {
    const account = await this.accounts.find(principal.accountId);
    if (!account) throw new NotFoundError("Couldn't find that account.");
    return toAccountResponse(account);
  }

  async updateCurrent(principal: Principal, input: AccountUpdateDto): Promise<AccountResponseDto> {
    const account = await this.accounts.rename(principal.accountId, input.name);
    return toAccountResponse(account);
  }

  async list(): Promise<AccountResponseDto[]> {
    const accounts = await this.accounts.list();
    return accounts.map(toAccountResponse);
  }

  /** An admin creates an account together with its first global token. */
  async create(principal: Principal, input: AccountCreateDto): Promise<AccountCreatedDto> {
    const email = input.email.toLowerCase();
    try {
      return await this.prisma.$transaction(async (tx) => {
        const account = await this.accounts.create(tx, {
          email,
          name: input.name ?? null,
          isAdmin: input.admin ?? false,
        });
        await recordEvent(tx, {
          action: 'account.create',
          actorId: principal.accountId,
          data: { email, admin: account.isAdmin },
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
   * Guarantees an admin at boot. With DRYDOCK_ADMIN_TOKEN, that token belongs to an admin
   * (and the token made from an earlier value is revoked); without it, the first boot on
   * an empty database generates one.
   */
  async ensureAdmin(configuredToken: string | undefined): Promise<AdminBootstrap> {
    return this.prisma.$transaction(async (tx) => {
      await this.accounts.lockBootstrap(tx);
      if (configuredToken) {
        const existing = await this.tokenRows.findByHash(tx, hashToken(configuredToken));
        if (existing) {
          if (!existing.account.isAdmin) await this.accounts.makeAdmin(tx, existing.accountId);
          if (!existing.scopes.includes('global') || existing.bootstrap !== ADMIN_TOKEN_VAR) {
            await this.tokenRows.update(tx, existing.id, {
              scopes: ['global'],
              bootstrap: ADMIN_TOKEN_VAR,
            });
          }
          await this.revokeEarlier(tx, ADMIN_TOKEN_VAR, existing.id);
          return { outcome: 'configured' };
        }
      } else if (await this.accounts.firstAdmin(tx)) {
        return { outcome: 'existing' };
      }
      const admin = await this.accounts.upsertAdmin(tx, BOOTSTRAP_ADMIN_EMAIL);
      return this.issueBootstrapToken(
        tx,
        admin.id,
        ['global'],
        ADMIN_TOKEN_VAR,
        configuredToken,
        'Generated at first start',
      );
    });
  }

  /**
   * Guarantees the router a `routing` token of the admin at boot (after ensureAdmin):
   * DRYDOCK_ROUTER_TOKEN when set (the token made from an earlier value is revoked), else
   * the one saved in DATA_DIR/router-token, minted anew when there is none or it is unknown.
   */
  async ensureRouterToken(
    configuredToken: string | undefined,
    savedToken: string | undefined,
  ): Promise<AdminBootstrap> {
    return this.prisma.$transaction(async (tx) => {
      await this.accounts.lockBootstrap(tx);
      if (configuredToken) {
        const existing = await this.tokenRows.findByHash(tx, hashToken(configuredToken));
        if (existing) {
          if (existing.bootstrap !== ROUTER_TOKEN_VAR) {
            // Taking over a token minted for another purpose would change what it may do.
            if (existing.scopes.join() !== 'routing') {
              throw new StartupError(
                `${ROUTER_TOKEN_VAR} is already a token with the ${existing.scopes.join(', ')} scope; set it to a new random value, e.g. \`openssl rand -hex 32\``,
              );
            }
            await this.tokenRows.update(tx, existing.id, { bootstrap: ROUTER_TOKEN_VAR });
          }
          await this.revokeEarlier(tx, ROUTER_TOKEN_VAR, existing.id);
          return { outcome: 'configured' };
        }
      } else if (savedToken) {
        const saved = await this.tokenRows.findByHash(tx, hashToken(savedToken));
        if (saved?.scopes.join() === 'routing') return { outcome: 'existing' };
      }
      const admin = await this.accounts.firstAdmin(tx);
      if (!admin) throw new Error('ensureAdmin must run before ensureRouterToken');
      return this.issueBootstrapToken(
        tx,
        admin.id,
        ['routing'],
        ROUTER_TOKEN_VAR,
        configuredToken,
        'Generated for the router',
      );
    });
  }

  /**
   * Issues the token `variable` asks for: the configured value, marked as coming from it
   * (a token made from an earlier value is revoked), or a random one, returned once.
   */
  private async issueBootstrapToken(
    tx: PrismaTransaction,
    accountId: string,
    scopes: Scope[],
    variable: string,
    configuredToken: string | undefined,
    generatedDescription: string,
  ): Promise<AdminBootstrap> {
    const issued = await this.tokens.issue(tx, {
      accountId,
      scopes,
      description: configuredToken ? variable : generatedDescription,
      token: configuredToken,
      bootstrap: configuredToken ? variable : undefined,
    });
    if (!configuredToken) return { outcome: 'generated', token: issued.access_token.token };
    await this.revokeEarlier(tx, variable, issued.id);
    return { outcome: 'configured' };
  }

  /** Revokes what an earlier value of `variable` made, through the normal revocation path. */
  private async revokeEarlier(
    tx: PrismaTransaction,
    variable: string,
    currentId: string,
  ): Promise<void> {
    await this.tokens.revokeIn(
      tx,
      await this.tokenRows.bootstrapIds(tx, variable, currentId),
      null,
    );
  }
}
