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
/** A machine's token made at boot: its scope, the env var that may set it, its file in DATA_DIR. */
export interface ServiceToken {
  scope: Scope;
  variable: string;
  file: string;
  description: string;
}

export const ROUTER_TOKEN: ServiceToken = {
  scope: 'routing',
  variable: 'DRYDOCK_ROUTER_TOKEN',
  file: 'router-token',
  description: 'Generated for the router',
};

export const DYNO_MANAGER_TOKEN: ServiceToken = {
  scope: 'dyno-manager',
  variable: 'DRYDOCK_DYNO_MANAGER_TOKEN',
  file: 'dyno-manager-token',
  description: 'Generated for the dyno manager',
};

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
   * Guarantees a machine (the router, the dyno manager) a token of the admin with its one
   * scope at boot (after ensureAdmin): the value of `service.variable` when set (the token
   * made from an earlier value is revoked), else the one saved in DATA_DIR, minted anew
   * when there is none or it is unknown.
   */
  async ensureServiceToken(
    service: ServiceToken,
    configuredToken: string | undefined,
    savedToken: string | undefined,
  ): Promise<AdminBootstrap> {
    const { scope, variable } = service;
    return this.prisma.$transaction(async (tx) => {
      await this.accounts.lockBootstrap(tx);
      if (configuredToken) {
        const existing = await this.tokenRows.findByHash(tx, hashToken(configuredToken));
        if (existing) {
          if (existing.bootstrap !== variable) {
            // Taking over a token minted for another purpose would change what it may do.
            if (existing.scopes.join() !== scope) {
              throw new StartupError(
                `${variable} is already a token with the ${existing.scopes.join(', ')} scope; set it to a new random value, e.g. \`openssl rand -hex 32\``,
              );
            }
            await this.tokenRows.update(tx, existing.id, { bootstrap: variable });
          }
          await this.revokeEarlier(tx, variable, existing.id);
          return { outcome: 'configured' };
        }
      } else if (savedToken) {
        const saved = await this.tokenRows.findByHash(tx, hashToken(savedToken));
        if (saved?.scopes.join() === scope) return { outcome: 'existing' };
      }
      const admin = await this.accounts.firstAdmin(tx);
      if (!admin) throw new Error('ensureAdmin must run before ensureServiceToken');
      return this.issueBootstrapToken(
        tx,
        admin.id,
        [scope],
        variable,
        configuredToken,
        service.description,
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
