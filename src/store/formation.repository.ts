import { Injectable } from '@nestjs/common';
import { PrismaTransaction } from '../database/prisma.service.js';
import type { Formation } from '../generated/prisma/client.js';

/** The formations table's queries: one row per process type, its command and its scale. */
@Injectable()
export class FormationRepository {
  list(db: PrismaTransaction, appId: string): Promise<Formation[]> {
    return db.formation.findMany({ where: { appId }, orderBy: { type: 'asc' } });
  }

  /** The app's Procfile as it is now: type to command. */
  async processTypes(db: PrismaTransaction, appId: string): Promise<Record<string, string>> {
    const rows = await this.list(db, appId);
    return Object.fromEntries(rows.map((row) => [row.type, row.command]));
  }

  scale(
    tx: PrismaTransaction,
    id: string,
    change: { quantity: number; size: string },
  ): Promise<Formation> {
    return tx.formation.update({ where: { id }, data: change });
  }

  setCommand(tx: PrismaTransaction, id: string, command: string): Promise<Formation> {
    return tx.formation.update({ where: { id }, data: { command } });
  }

  add(
    tx: PrismaTransaction,
    row: { appId: string; type: string; command: string; quantity: number; size: string },
  ): Promise<Formation> {
    return tx.formation.create({ data: row });
  }

  remove(tx: PrismaTransaction, id: string): Promise<void> {
    return tx.formation.delete({ where: { id } }).then(() => undefined);
  }
}
