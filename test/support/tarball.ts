import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { create, Header, type types } from 'tar';

export interface RawEntry {
  path: string;
  type?: types.EntryTypeName;
  body?: string;
  linkpath?: string;
  mode?: number;
}

/** A tarball written header by header, so that it can hold what no tar tool would write. */
export function tarball(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: body.length,
      mode: entry.mode ?? 0o644,
      linkpath: entry.linkpath,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The same, gzipped: a slug archive (or what claims to be one). */
export const slugArchive = (entries: RawEntry[]): Buffer => gzipSync(tarball(entries));

/** What `tar czf slug.tgz ./app` makes of these files (path under app/ to content). */
export async function appArchive(files: Record<string, string>): Promise<Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'slug-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, 'app', name)), { recursive: true });
      writeFileSync(path.join(dir, 'app', name), content);
    }
    const file = path.join(dir, 'slug.tgz');
    await create({ gzip: true, cwd: dir, file, portable: true }, ['./app']);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
