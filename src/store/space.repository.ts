import { Injectable } from '@nestjs/common';
import { idOrNameWhere } from '../common/heroku/identity.js';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Account, Space } from '../generated/prisma/client.js';

export type SpaceWithOwner = Space & { owner: Account };

/** The spaces table's queries. */
@Injectable()
export class SpaceRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(
    tx: PrismaTransaction,
    space: { name: string; ownerId: string; region: string; shield: boolean },
  ): Promise<SpaceWithOwner> {
    return tx.space.create({ data: space, include: { owner: true } });
  }

  find(idOrName: string): Promise<SpaceWithOwner | null> {
    return this.prisma.space.findUnique({
      where: idOrNameWhere(idOrName),
      include: { owner: true },
    });
  }

  page(ownerId: string | undefined, range: ListRange): Promise<SpaceWithOwner[]> {
    const query = rangeQuery(range);
    return this.prisma.space.findMany({
      where: { ...query.where, ...(ownerId ? { ownerId } : {}) },
      orderBy: query.orderBy,
      take: query.take,
      include: { owner: true },
    });
  }

  /** Refused by the apps foreign key (ON DELETE RESTRICT) while the space has apps. */
  remove(tx: PrismaTransaction, id: string): Promise<void> {
    return tx.space.delete({ where: { id } }).then(() => undefined);
  }
}
