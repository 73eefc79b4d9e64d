import { Injectable } from '@nestjs/common';
import { ListRange, rangeQuery } from '../common/heroku/range.js';
import { PrismaTransaction } from '../database/prisma.service.js';
import type { Domain } from '../generated/prisma/client.js';

export type { Domain };

/** Apps' custom domains. Host names are unique across all apps. */
@Injectable()
export class DomainRepository {
  /** One page of the app's custom domains in the range's order, one row more than the page. */
  page(db: PrismaTransaction, appId: string, range: ListRange): Promise<Domain[]> {
    const { where, orderBy, take } = rangeQuery(range);
    return db.domain.findMany({ where: { appId, ...where }, orderBy, take });
  }

  /** The app's custom domain with this id or (canonical) host name. */
  find(
    db: PrismaTransaction,
    appId: string,
    identity: { id: string } | { hostname: string },
  ): Promise<Domain | null> {
    return db.domain.findFirst({ where: { appId, ...identity } });
  }

  /**
   * Adds the domain, or returns null when the host name is taken (by this app or another).
   * ON CONFLICT rather than a failed insert: a concurrent add of the same name, under another
   * app's lock, waits for that one to commit and then sees it taken, without aborting the
   * transaction.
   */
  async create(tx: PrismaTransaction, appId: string, hostname: string): Promise<Domain | null> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO domains (app_id, hostname) VALUES (${appId}::uuid, ${hostname})
      ON CONFLICT (hostname) DO NOTHING
      RETURNING id`;
    if (rows.length === 0) return null;
    return tx.domain.findUniqueOrThrow({ where: { id: rows[0].id } });
  }

  /** The app holding a host name, if any. */
  async ownerOf(db: PrismaTransaction, hostname: string): Promise<string | null> {
    const row = await db.domain.findUnique({ where: { hostname }, select: { appId: true } });
    return row?.appId ?? null;
  }

  async delete(tx: PrismaTransaction, id: string): Promise<void> {
    await tx.domain.delete({ where: { id } });
  }
}
