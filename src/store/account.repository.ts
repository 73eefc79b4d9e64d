import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Account } from '../generated/prisma/client.js';

/** Serializes admin bootstrap across replicas booting at once. */
const BOOTSTRAP_LOCK = 72_736_105;

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

  /** Emails by account id, for those that still exist. */
  async emails(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.prisma.account.findMany({
      where: { id: { in: ids } },
      select: { id: true, email: true },
    });
    return new Map(rows.map((row) => [row.id, row.email]));
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

  /** Held until the transaction ends: one replica bootstraps at a time. */
  lockBootstrap(tx: PrismaTransaction): Promise<void> {
    return tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.then(() => undefined);
  }
}
