import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/heroku/identity.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { Blob, Slug } from '../generated/prisma/client.js';

export type SlugWithBlob = Slug & { blob: Blob };

export interface NewSlug {
  processTypes: Record<string, string>;
  commit: string | null;
  commitDescription: string | null;
  buildpackProvidedDescription: string | null;
  stack: string;
  declaredSha256: string | null;
  uploadTokenHash: string;
  uploadExpiresAt: Date;
}

/** The slugs table's queries. A slug's archive is its blob (BlobStore). */
@Injectable()
export class SlugRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A slug with an empty blob, which an upload later replaces with the archive. */
  create(tx: PrismaTransaction, appId: string, slug: NewSlug): Promise<SlugWithBlob> {
    return tx.slug.create({
      data: { ...slug, app: { connect: { id: appId } }, blob: { create: {} } },
      include: { blob: true },
    });
  }

  /** The stack slug `id` was made for; null when there is no such slug. */
  async stackOf(db: PrismaTransaction, id: string): Promise<string | null> {
    const slug = await db.slug.findUnique({ where: { id }, select: { stack: true } });
    return slug?.stack ?? null;
  }

  /** The app's slug `id`; null when the app has none by that id. */
  findForApp(
    appId: string,
    id: string,
    db: PrismaTransaction = this.prisma,
  ): Promise<SlugWithBlob | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return db.slug.findFirst({
      where: { id: id.toLowerCase(), appId },
      include: { blob: true },
    });
  }

  find(id: string): Promise<SlugWithBlob | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.slug.findUnique({
      where: { id: id.toLowerCase() },
      include: { blob: true },
    });
  }

  /**
   * Points the slug at its uploaded archive and retires the upload URL, in one statement
   * that only matches while the URL is unused: of two uploads racing, one wins, the other
   * gets false. The empty blob it held goes (trigger slugs_drop_blob).
   */
  async attachUpload(slugId: string, tokenHash: string, blobId: string): Promise<boolean> {
    const { count } = await this.prisma.slug.updateMany({
      where: { id: slugId, uploadTokenHash: tokenHash },
      data: { blobId, uploadTokenHash: null, uploadExpiresAt: null },
    });
    return count === 1;
  }
}
