import { createHash, randomBytes } from 'node:crypto';
import { BLOB_CHUNK_BYTES, BlobStore } from '../../src/store/blob.repository.js';
import { startTestApp, TestApp } from '../support/test-app.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Blob storage in PostgreSQL: chunks written as bytes arrive, read back in order. */
describe('BlobStore', () => {
  let t: TestApp;
  let blobs: BlobStore;
  beforeAll(async () => {
    t = await startTestApp();
    blobs = t.app.get(BlobStore);
  });
  afterAll(() => t.close());

  it('writes 1 MiB chunks as bytes arrive and completes the blob with its size and sha256', async () => {
    const bytes = randomBytes(2 * BLOB_CHUNK_BYTES + 12345);
    const writer = await blobs.writer();
    // Uneven pieces, as a network delivers them.
    let checkedMidway = false;
    for (let at = 0; at < bytes.length; at += 65_537) {
      await writer.write(bytes.subarray(at, at + 65_537));
      if (!checkedMidway && at > BLOB_CHUNK_BYTES) {
        checkedMidway = true;
        // Chunks are rows as soon as they are whole, before the upload ends.
        expect(await t.prisma.blobChunk.count({ where: { blobId: writer.id } })).toBe(1);
        expect(await blobs.stat(writer.id)).toBeNull();
      }
    }
    expect(checkedMidway).toBe(true);
    const stored = await writer.finish();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(stored).toEqual({ id: writer.id, size: bytes.length, sha256 });
    expect(await blobs.stat(writer.id)).toEqual(stored);
    const chunks = await t.prisma.blobChunk.findMany({
      where: { blobId: writer.id },
      orderBy: { seq: 'asc' },
    });
    expect(chunks.map((c) => [c.seq, c.data.length])).toEqual([
      [0, BLOB_CHUNK_BYTES],
      [1, BLOB_CHUNK_BYTES],
      [2, 12345],
    ]);
    expect((await readAll(blobs.read(writer.id))).equals(bytes)).toBe(true);
  });

  it('reads more chunks than one query fetches, and an empty blob', async () => {
    const bytes = randomBytes(5 * BLOB_CHUNK_BYTES);
    const writer = await blobs.writer();
    await writer.write(bytes);
    await writer.finish();
    expect((await readAll(blobs.read(writer.id))).equals(bytes)).toBe(true);

    const empty = await blobs.writer();
    expect(await empty.finish()).toMatchObject({ size: 0 });
    expect((await readAll(blobs.read(empty.id))).length).toBe(0);
  });

  it('deletes what an aborted upload wrote', async () => {
    const writer = await blobs.writer();
    await writer.write(randomBytes(BLOB_CHUNK_BYTES + 1));
    expect(await t.prisma.blobChunk.count({ where: { blobId: writer.id } })).toBe(1);
    await writer.abort();
    expect(await t.prisma.blob.count({ where: { id: writer.id } })).toBe(0);
    expect(await t.prisma.blobChunk.count({ where: { blobId: writer.id } })).toBe(0);
  });

  it('drops uploads abandoned a day ago when the next one starts', async () => {
    const abandoned = await blobs.writer();
    await abandoned.write(randomBytes(BLOB_CHUNK_BYTES));
    const recent = await blobs.writer();
    await t.prisma.blob.update({
      where: { id: abandoned.id },
      data: { createdAt: new Date(Date.now() - 25 * 3600 * 1000) },
    });
    const next = await blobs.writer();
    expect(await t.prisma.blob.count({ where: { id: abandoned.id } })).toBe(0);
    expect(await t.prisma.blob.count({ where: { id: { in: [recent.id, next.id] } } })).toBe(2);
  });
});
