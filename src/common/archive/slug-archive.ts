import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, type ReadStream } from 'node:fs';
import { chmod, type FileHandle, link, mkdir, open, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';

/**
 * A slug archive (Heroku's format: a gzipped tarball whose every entry is `./app` or under
 * it) that cannot be taken. The message is one line, meant for whoever uploaded it.
 */
export class SlugArchiveError extends Error {
  /** Set on SlugArchiveTooLargeError, so HTTP can answer 413 instead of 422. */
  readonly tooLarge: boolean = false;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class SlugArchiveTooLargeError extends SlugArchiveError {
  override readonly tooLarge = true;

  constructor(maxBytes: number) {
    super(`The slug is larger than the ${maxBytes} bytes allowed.`);
  }
}

export interface SlugArchiveLimits {
  /** Compressed bytes; one more and the archive is refused with SlugArchiveTooLargeError. */
  maxBytes: number;
  /** Entries of the tarball (files, directories, links); default DEFAULT_MAX_ENTRIES. */
  maxEntries?: number;
  /** Sum of the sizes of the files inside; default no limit beyond tar's own ratio guard. */
  maxUnpackedBytes?: number;
  /**
   * Tee for the compressed bytes: called with each chunk in order, once it is counted
   * (never with a byte past maxBytes) and before it is parsed, and awaited before the next
   * chunk is read, so a slow store slows the upload down instead of filling memory. A
   * later chunk can still make the archive invalid: whatever was kept must then be dropped.
   */
  onChunk?: (chunk: Buffer) => void | Promise<void>;
}

export interface SlugArchiveSummary {
  /** Compressed bytes. */
  size: number;
  /** SHA-256 of the compressed bytes, in hex (Heroku's checksum without its "SHA256:"). */
  sha256: string;
}

/** Enough for a Node app's node_modules; bounds the memory kept per entry path while checking. */
export const DEFAULT_MAX_ENTRIES = 200_000;

/** What Linux allows in one path resolution (ELOOP): also bounds our own resolution. */
const MAX_SYMLINK_HOPS = 40;
const GZIP_MAGIC = [0x1f, 0x8b];

type Kind = 'file' | 'directory' | 'symlink' | 'link';

interface CheckedEntry {
  kind: Kind;
  /** The path under `app/`, '' for `app` itself. */
  relative: string;
  /** Symlinks: the target as stored. Hard links: the target's path under `app/`. */
  target?: string;
  mode: number;
  size: number;
}

/**
 * Reads a slug archive once, as it arrives, and checks it: gzip, tar, every entry `./app`
 * or under it, no `..`, no absolute path, only files, directories and links, and no link
 * leading out of `app/`. Throws SlugArchiveError (SlugArchiveTooLargeError past maxBytes).
 * The stream is not destroyed when this stops early: the caller may still answer on it.
 */
export async function inspectSlugArchive(
  source: AsyncIterable<Buffer> | NodeJS.ReadableStream,
  limits: SlugArchiveLimits,
): Promise<SlugArchiveSummary> {
  return walkArchive(source, limits, discard);
}

/**
 * Checks a stored archive again (never trusting it) and extracts the contents of its
 * `app/` into `intoDir` (created if absent, which must be empty): `intoDir/Procfile` and so
 * on. A bad entry stops the extraction with SlugArchiveError rather than being skipped;
 * nothing is ever written through a link. On error, what was extracted stays: discard the
 * directory.
 */
export async function unpackSlugArchive(
  archiveFile: string,
  intoDir: string,
  limits: Omit<SlugArchiveLimits, 'onChunk'>,
): Promise<void> {
  const checked = await withFileStream(archiveFile, (stream) => inspectSlugArchive(stream, limits));
  await mkdir(intoDir, { recursive: true });
  if ((await readdir(intoDir)).length > 0) {
    throw new Error(`${intoDir} must be empty to unpack a slug into it`);
  }
  const unpacked = await withFileStream(archiveFile, (stream) =>
    walkArchive(stream, limits, (entry, item) => extractEntry(entry, item, intoDir)),
  );
  // The checked bytes are the unpacked bytes, even if the file was swapped in between.
  if (unpacked.sha256 !== checked.sha256) {
    throw new SlugArchiveError('The slug archive changed while it was being unpacked.');
  }
}

/** `read` on a stream of the file, closed however `read` ends (it may stop early). */
async function withFileStream<T>(
  file: string,
  read: (stream: ReadStream) => Promise<T>,
): Promise<T> {
  const stream = createReadStream(file);
  try {
    return await read(stream);
  } finally {
    stream.destroy();
  }
}

async function extractEntry(entry: ReadEntry, item: CheckedEntry, intoDir: string) {
  const target = path.join(intoDir, item.relative);
  if (item.kind === 'file') {
    await mkdir(path.dirname(target), { recursive: true });
    // 'wx' is O_CREAT|O_EXCL: never opens an existing path, so never follows a link.
    const file = await open(target, 'wx', (item.mode & 0o777) | 0o600);
    try {
      await copyEntry(entry, file);
      // The umask narrowed the mode open() was given.
      await file.chmod((item.mode & 0o777) | 0o600);
    } finally {
      await file.close();
    }
    return;
  }
  await discard(entry);
  if (item.kind === 'directory') {
    await mkdir(target, { recursive: true });
    // Also for one made before as a parent; always open to its owner, to write what is inside.
    if (item.relative) await chmod(target, (item.mode & 0o777) | 0o700);
  } else if (item.kind === 'symlink') {
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(item.target!, target);
  } else {
    await mkdir(path.dirname(target), { recursive: true });
    await link(path.join(intoDir, item.target!), target);
  }
}

/** Reads an entry's body (if any) to its end, keeping none of it. */
async function discard(entry: ReadEntry): Promise<void> {
  if (entry.destroyed) throw refused();
  entry.resume();
  if (!entry.emittedEnd) await once(entry, 'end');
}

/** Writes an entry's body to `file`, the entry paused while each chunk is written. */
function copyEntry(entry: ReadEntry, file: FileHandle): Promise<void> {
  // Destroyed (the archive was refused) before its listeners: it would never end.
  if (entry.destroyed) return Promise.reject(refused());
  return new Promise((resolve, reject) => {
    let written = Promise.resolve();
    entry.on('data', (chunk: Buffer) => {
      entry.pause();
      written = written.then(() => file.write(chunk)).then(() => void entry.resume());
      written.catch(reject);
    });
    entry.once('end', () => written.then(resolve, reject));
    entry.once('error', reject);
  });
}

function refused(): SlugArchiveError {
  return new SlugArchiveError('The slug archive was refused.');
}

/**
 * Feeds the compressed bytes to tar's parser (strict: any damage is an error), hands each
 * checked entry to `handle` one at a time, and ends with the checks that need every entry.
 */
async function walkArchive(
  source: AsyncIterable<Buffer> | NodeJS.ReadableStream,
  limits: SlugArchiveLimits,
  handle: (entry: ReadEntry, item: CheckedEntry) => Promise<void>,
): Promise<SlugArchiveSummary> {
  const checker = new EntryChecker(limits);
  const parser = new Parser({ strict: true });
  const hash = createHash('sha256');
  let size = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let current: ReadEntry | undefined;
  let handled: Promise<void> = Promise.resolve();
  let parsed = false;

  const fail = (error: unknown) => {
    failure ??= error;
    // Ends a handler still reading the entry, so that `handled` settles.
    current?.destroy(refused());
    wake?.();
  };
  parser.on('error', (error: Error) => fail(describeParseError(error)));
  parser.on('ignoredEntry', (entry: ReadEntry) =>
    fail(new SlugArchiveError(`The slug holds ${quote(entry.path)}, of a kind not allowed.`)),
  );
  parser.on('entry', (entry: ReadEntry) => {
    // Its errors reach whoever reads it (once(), for await); none may go unhandled.
    entry.on('error', () => undefined);
    handled = handled.then(async () => {
      if (failure) return;
      current = entry;
      try {
        await handle(entry, checker.check(entry));
      } catch (error) {
        fail(error);
      } finally {
        current = undefined;
      }
    });
  });
  parser.on('drain', () => wake?.());
  parser.on('end', () => {
    parsed = true;
    wake?.();
  });
  const waitForParser = () =>
    new Promise<void>((resolve) => {
      wake = () => {
        wake = undefined;
        resolve();
      };
    });

  const first: number[] = [];
  try {
    for await (const chunk of chunksOf(source)) {
      if (failure) break;
      size += chunk.length;
      if (size > limits.maxBytes) throw new SlugArchiveTooLargeError(limits.maxBytes);
      if (first.length < GZIP_MAGIC.length) {
        first.push(...chunk.subarray(0, GZIP_MAGIC.length - first.length));
        if (first.length === GZIP_MAGIC.length && !startsWithGzip(first)) throw notGzip();
      }
      hash.update(chunk);
      await limits.onChunk?.(chunk);
      if (!parser.write(chunk) && !failure) await waitForParser();
    }
    if (!failure && first.length < GZIP_MAGIC.length) throw notGzip();
    if (!failure) {
      parser.end();
      while (!parsed && !failure) await waitForParser();
    }
  } catch (error) {
    fail(error);
  }
  await handled;
  if (failure) throw failure;
  checker.finish();
  return { size, sha256: hash.digest('hex') };
}

function startsWithGzip(bytes: number[]): boolean {
  return GZIP_MAGIC.every((byte, i) => bytes[i] === byte);
}

function notGzip(): SlugArchiveError {
  return new SlugArchiveError('The slug is not gzip-compressed: a .tar.gz (tar czf) is expected.');
}

function describeParseError(error: Error & { code?: string; tarCode?: string }): SlugArchiveError {
  const detail = error.message.replace(/^TAR_[A-Z_]+: /, '').split('\n')[0];
  if (/decompression ratio/.test(detail)) {
    return new SlugArchiveError(`The slug expands too much to be a real archive (${detail}).`);
  }
  if (error.code?.startsWith('Z_') || /unexpected end of file|incorrect header/i.test(detail)) {
    return new SlugArchiveError(`The slug is not a valid gzip stream (${detail}).`);
  }
  if (error.tarCode === 'TAR_BAD_ARCHIVE' && /Unrecognized/.test(detail)) {
    return new SlugArchiveError('The slug is gzip-compressed but not a tar archive.');
  }
  return new SlugArchiveError(`The slug's tar archive is damaged (${detail}).`);
}

/**
 * A stream's chunks. Unlike a stream's own async iterator, stopping early does not destroy
 * the stream: an HTTP request stays answerable.
 */
async function* chunksOf(
  source: AsyncIterable<Buffer> | NodeJS.ReadableStream,
): AsyncGenerator<Buffer> {
  if (!isReadableStream(source)) {
    for await (const chunk of source) yield Buffer.from(chunk);
    return;
  }
  let ended = false;
  let error: unknown;
  let wake: (() => void) | undefined;
  const onReadable = () => wake?.();
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (e: unknown) => {
    error ??= e;
    wake?.();
  };
  const onClose = () => {
    if (!ended) error ??= new SlugArchiveError('The upload stopped before the slug ended.');
    wake?.();
  };
  source.on('readable', onReadable).on('end', onEnd).on('error', onError).on('close', onClose);
  try {
    for (;;) {
      if (error) throw error;
      const chunk = source.read() as Buffer | string | null;
      if (chunk !== null) {
        yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    source
      .off('readable', onReadable)
      .off('end', onEnd)
      .off('error', onError)
      .off('close', onClose);
  }
}

function isReadableStream(source: unknown): source is NodeJS.ReadableStream {
  return typeof (source as NodeJS.ReadableStream).read === 'function';
}

/**
 * The rules on entries. Besides each entry on its own, it keeps what every path is, so
 * that no entry goes through a symlink of the archive (what is checked is then what the
 * file system does) and symlink targets are resolved through the archive's other symlinks.
 */
class EntryChecker {
  /** Each path seen (components joined by '/', starting with 'app'): what it is. */
  private readonly kinds = new Map<string, Kind | 'parent'>();
  private readonly symlinks = new Map<string, string>();
  private entries = 0;
  private unpackedBytes = 0;

  constructor(private readonly limits: SlugArchiveLimits) {}

  check(entry: ReadEntry): CheckedEntry {
    const maxEntries = this.limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (++this.entries > maxEntries) {
      throw new SlugArchiveError(`The slug holds more than ${maxEntries} entries.`);
    }
    const kind = kindOf(entry);
    const parts = appPath(entry.path);
    const key = parts.join('/');
    if (parts.length === 1 && kind !== 'directory') {
      throw new SlugArchiveError('./app in the slug must be a directory.');
    }
    for (let depth = 1; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join('/');
      const seen = this.kinds.get(parent);
      if (seen === 'symlink') {
        throw new SlugArchiveError(
          `${quote(entry.path)} in the slug goes through the symlink ./${parent}.`,
        );
      }
      if (seen === 'file' || seen === 'link') {
        throw new SlugArchiveError(`${quote(entry.path)} in the slug is inside a file.`);
      }
      if (seen === undefined) this.kinds.set(parent, 'parent');
    }
    const before = this.kinds.get(key);
    if (before !== undefined && (before !== 'parent' || kind !== 'directory')) {
      throw new SlugArchiveError(`${quote(entry.path)} appears twice in the slug.`);
    }
    this.kinds.set(key, kind);

    const checked: CheckedEntry = {
      kind,
      relative: parts.slice(1).join('/'),
      mode: entry.mode ?? (kind === 'directory' ? 0o755 : 0o644),
      size: kind === 'file' ? entry.size : 0,
    };
    if (kind === 'symlink') {
      const target = entry.linkpath ?? '';
      if (!target || target.startsWith('/')) {
        throw new SlugArchiveError(
          `The symlink ${quote(entry.path)} in the slug points out of ./app.`,
        );
      }
      this.symlinks.set(key, target);
      checked.target = target;
    }
    if (kind === 'link') {
      // A hard link names its target from the archive's root, and must follow it.
      const target = appPath(entry.linkpath ?? '', entry.path);
      const targetKind = this.kinds.get(target.join('/'));
      if (targetKind !== 'file' && targetKind !== 'link') {
        throw new SlugArchiveError(
          `The hard link ${quote(entry.path)} in the slug does not name a file before it.`,
        );
      }
      checked.target = target.slice(1).join('/');
    }
    if (kind === 'file' && this.limits.maxUnpackedBytes !== undefined) {
      this.unpackedBytes += entry.size;
      if (this.unpackedBytes > this.limits.maxUnpackedBytes) {
        throw new SlugArchiveError(
          `The slug unpacks to more than the ${this.limits.maxUnpackedBytes} bytes allowed.`,
        );
      }
    }
    return checked;
  }

  /** The checks that need every entry: there is an `./app`, and no symlink leads out of it. */
  finish(): void {
    if (!this.kinds.has('app')) {
      throw new SlugArchiveError('The slug holds no ./app directory.');
    }
    for (const [key, target] of this.symlinks) {
      const hops = { count: 0 };
      const resolved = this.resolve(key.split('/').slice(0, -1), target, hops);
      if (resolved === 'loop') {
        throw new SlugArchiveError(`The symlink ./${key} in the slug is part of a loop.`);
      }
      if (resolved === 'outside') {
        throw new SlugArchiveError(`The symlink ./${key} in the slug points out of ./app.`);
      }
    }
  }

  /** Where `target`, relative to `dir`, leads once the archive's symlinks are followed. */
  private resolve(
    dir: string[],
    target: string,
    hops: { count: number },
  ): string[] | 'outside' | 'loop' {
    if (target.startsWith('/')) return 'outside';
    let at = [...dir];
    for (const part of target.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        // at[0] is 'app': popping it leaves the dyno's directory.
        if (at.length <= 1) return 'outside';
        at.pop();
        continue;
      }
      at.push(part);
      const next = this.symlinks.get(at.join('/'));
      if (next !== undefined) {
        if (++hops.count > MAX_SYMLINK_HOPS) return 'loop';
        const resolved = this.resolve(at.slice(0, -1), next, hops);
        if (typeof resolved === 'string') return resolved;
        at = resolved;
      }
    }
    return at;
  }
}

function kindOf(entry: ReadEntry): Kind {
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'Directory':
      return 'directory';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'link';
    default:
      throw new SlugArchiveError(
        `${quote(entry.path)} in the slug is a ${entry.type}: only files, directories and links are allowed.`,
      );
  }
}

/** A tar path's components, starting with 'app'; throws unless it is `./app` or under it. */
function appPath(raw: string, entryPath = raw): string[] {
  const what = entryPath === raw ? quote(raw) : `The hard link ${quote(entryPath)}'s target`;
  if (raw.startsWith('/')) {
    throw new SlugArchiveError(`${what} in the slug is an absolute path.`);
  }
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) {
    throw new SlugArchiveError(`${what} in the slug has a .. component.`);
  }
  if (parts[0] !== 'app') {
    throw new SlugArchiveError(`${what} in the slug is not under ./app.`);
  }
  return parts;
}

/** A path from the archive, safe on one line and short enough for a message. */
function quote(raw: string): string {
  const shown = raw.length > 200 ? `${raw.slice(0, 200)}...` : raw;
  return JSON.stringify(shown);
}
