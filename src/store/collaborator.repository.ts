import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaTransaction } from '../database/prisma.service.js';
import type { Collaborator } from '../generated/prisma/client.js';

/** A collaborator with the account it names. */
export type CollaboratorWithAccount = Collaborator & { account: { id: string; email: string } };

const WITH_ACCOUNT = { account: { select: { id: true, email: true } } } as const;

/** Apps' collaborators: the accounts besides the owner with access to an app. */
@Injectable()
export class CollaboratorRepository {
  /** In the order they were added. */
  list(db: PrismaTransaction, appId: string): Promise<CollaboratorWithAccount[]> {
    return db.collaborator.findMany({
      where: { appId },
      include: WITH_ACCOUNT,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /**
   * The app's collaborator named by its id, its account's id or its account's email
   * (Heroku's collaborator identity is the email or the id).
   */
  find(
    db: PrismaTransaction,
    appId: string,
    identity: string,
  ): Promise<CollaboratorWithAccount | null> {
    const value = identity.toLowerCase();
    return db.collaborator.findFirst({
      where: {
        appId,
        OR: isUuid(value) ? [{ id: value }, { accountId: value }] : [{ account: { email: value } }],
      },
      include: WITH_ACCOUNT,
    });
  }

  create(
    tx: PrismaTransaction,
    appId: string,
    accountId: string,
  ): Promise<CollaboratorWithAccount> {
    return tx.collaborator.create({ data: { appId, accountId }, include: WITH_ACCOUNT });
  }

  async delete(tx: PrismaTransaction, id: string): Promise<void> {
    await tx.collaborator.deleteMany({ where: { id } });
  }

  /** The accounts collaborating on the app. */
  async accountIds(db: PrismaTransaction, appId: string): Promise<string[]> {
    const rows = await db.collaborator.findMany({ where: { appId }, select: { accountId: true } });
    return rows.map((row) => row.accountId);
  }
}
