import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Account } from '../generated/prisma/client.js';

/** The accounts table's queries. */
@Injectable()
export class AccountRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(id: string): Promise<Account | null> {
    return this.prisma.account.findUnique({ where: { id } });
  }

  /** By `id` or `email`, as `/users/{id_or_email}` names an account. */
  findByIdOrEmail(idOrEmail: string): Promise<Account | null> {
    return this.prisma.account.findFirst({
      where: isUuid(idOrEmail)
        ? { id: idOrEmail.toLowerCase() }
        : { email: idOrEmail.toLowerCase() },
    });
  }

  list(): Promise<Account[]> {
    return this.prisma.account.findMany({ orderBy: { createdAt: 'asc' } });
  }

  create(
    tx: PrismaTransaction,
    account: { email: string; name: string | null; isAdmin: boolean },
  ): Promise<Account> {
    return tx.account.create({ data: account });
  }

  rename(id: string, name: string | null | undefined): Promise<Account> {
    return this.prisma.account.update({
      where: { id },
      data: name !== undefined ? { name } : {},
    });
  }

  makeAdmin(tx: PrismaTransaction, id: string): Promise<void> {
    return tx.account.update({ where: { id }, data: { isAdmin: true } }).then(() => undefined);
  }

  /** The bootstrap admin's account, created when missing. */
  upsertAdmin(tx: PrismaTransaction, email: string): Promise<Account> {
    return tx.account.upsert({
      where: { email },
      create: { email, name: 'drydock admin', isAdmin: true },
      update: { isAdmin: true },
    });
  }

  firstAdmin(tx: PrismaTransaction): Promise<{ id: string } | null> {
    return tx.account.findFirst({
      where: { isAdmin: true },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
    });
  }
}
