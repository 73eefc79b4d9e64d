import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PrismaService } from '../database/prisma.service.js';

/** Bytes per blob_chunks row; every chunk but a blob's last has exactly this many. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;
/** Chunks fetched per query while reading: a few MiB in memory, few round trips. */
const CHUNKS_PER_READ = 4;
/** An upload older than this whose blob no slug holds was abandoned (its replica died). */
const ABANDONED_AFTER_MS = 24 * 3600 * 1000;

export interface StoredBlob {
  id: string;
  size: number;
  sha256: string;
}

/**
 * A blob being written, chunk by chunk as bytes arrive. Each chunk is its own short
 * statement, never one transaction over the whole upload; `finish` records the size and
 * SHA-256, `abort` deletes what was written.
 */
export interface BlobWriter {
  readonly id: string;
  write(bytes: Buffer): Promise<void>;
  finish(): Promise<StoredBlob>;
  abort(): Promise<void>;
}

/**
 * Blob storage, in PostgreSQL: a `blobs` row per blob (size, sha256, completed_at) and its
 * bytes in 1 MiB `blob_chunks` rows, so every replica reads what any replica wrote and no
 * upload or download holds a whole blob in memory. An object store could take its place
 * behind these few methods, keeping the `blobs` rows and putting the bytes in its bucket.
 */
@Injectable()
export class BlobStore {
  constructor(private readonly prisma: PrismaService) {}

  /** A new blob to write into; nothing references it until the caller says so. */
  async writer(): Promise<BlobWriter> {
    await this.dropAbandoned();
    const { id } = await this.prisma.blob.create({ data: {}, select: { id: true } });
    return new PostgresBlobWriter(this.prisma, id);
  }

  /** A completed blob's size and SHA-256; null when there is no such blob or it is not complete. */
  async stat(id: string): Promise<StoredBlob | null> {
    const blob = await this.prisma.blob.findUnique({ where: { id } });
    if (!blob?.completedAt || blob.size === null || blob.sha256 === null) return null;
    return { id, size: Number(blob.size), sha256: blob.sha256 };
  }

  /** A completed blob's bytes, in order, read a few chunks at a time as the reader takes them. */
  read(id: string): Readable {
    const prisma = this.prisma;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; ;) {
        const rows = await prisma.blobChunk.findMany({
          where: { blobId: id, seq: { gte: seq } },
          orderBy: { seq: 'asc' },
          take: CHUNKS_PER_READ,
        });
        for (const row of rows) {
          if (row.seq !== seq) throw new Error(`Blob ${id} lacks its chunk ${seq}`);
          yield Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
          seq++;
        }
        if (rows.length < CHUNKS_PER_READ) return;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async delete(id: string): Promise<void> {
    await this.prisma.blob.deleteMany({ where: { id } });
  }

  /** Uploads cut off with their replica left chunks no slug holds: drop them, once they are old. */
  private async dropAbandoned(): Promise<void> {
    await this.prisma.blob.deleteMany({
      where: {
        completedAt: null,
        createdAt: { lt: new Date(Date.now() - ABANDONED_AFTER_MS) },
        slugs: { none: {} },
      },
    });
  }
}

class PostgresBlobWriter implements BlobWriter {
  private readonly hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private size = 0;
  private seq = 0;

  constructor(
    private readonly prisma: PrismaService,
    readonly id: string,
  ) {}

  async write(bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    this.size += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes < BLOB_CHUNK_BYTES) return;
    let joined = Buffer.concat(this.pending);
    while (joined.length >= BLOB_CHUNK_BYTES) {
      await this.insert(joined.subarray(0, BLOB_CHUNK_BYTES));
      joined = joined.subarray(BLOB_CHUNK_BYTES);
    }
    this.pending = joined.length ? [joined] : [];
    this.pendingBytes = joined.length;
  }

  async finish(): Promise<StoredBlob> {
    if (this.pendingBytes > 0) await this.insert(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    const sha256 = this.hash.digest('hex');
    await this.prisma.blob.update({
      where: { id: this.id },
      data: { size: BigInt(this.size), sha256, completedAt: new Date() },
    });
    return { id: this.id, size: this.size, sha256 };
  }

  async abort(): Promise<void> {
    this.pending = [];
    await this.prisma.blob.deleteMany({ where: { id: this.id } });
  }

  private async insert(data: Buffer): Promise<void> {
    await this.prisma.blobChunk.create({
      data: { blobId: this.id, seq: this.seq, data: new Uint8Array(data) },
    });
    this.seq++;
  }
}
