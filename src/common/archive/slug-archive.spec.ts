import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  chmodSync,
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';
import { appArchive, RawEntry, slugArchive, tarball } from '../../../test/support/tarball.js';
import {
  inspectSlugArchive,
  SlugArchiveError,
  SlugArchiveTooLargeError,
  unpackSlugArchive,
} from './slug-archive.js';

const slug = slugArchive;
const APP: RawEntry = { path: './app/', type: 'Directory', mode: 0o755 };
const PROCFILE: RawEntry = { path: './app/Procfile', body: 'web: node web.js\n' };
const LIMITS = { maxBytes: 1024 * 1024 };

async function* inPieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

function inspect(bytes: Buffer, limits: Parameters<typeof inspectSlugArchive>[1] = LIMITS) {
  return inspectSlugArchive(inPieces(bytes, 1000), limits);
}

async function refusal(promise: Promise<unknown>): Promise<SlugArchiveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlugArchiveError);
  expect((error as Error).message).not.toContain('\n');
  return error as SlugArchiveError;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('inspectSlugArchive', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'slug-archive-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes what `tar czf slug.tgz ./app` makes, with its size and sha256', async () => {
    mkdirSync(path.join(dir, 'app/lib/deeply/nested/folder/with/a/long/enough/name/for/pax'), {
      recursive: true,
    });
    writeFileSync(path.join(dir, 'app/Procfile'), 'web: node web.js\n');
    writeFileSync(path.join(dir, 'app/web.js'), 'console.log(1)\n');
    writeFileSync(
      path.join(
        dir,
        'app/lib/deeply/nested/folder/with/a/long/enough/name/for/pax',
        `${'x'.repeat(120)}.js`,
      ),
      '',
    );
    symlinkSync('web.js', path.join(dir, 'app/main.js'));
    const file = path.join(dir, 'slug.tgz');
    await create({ gzip: true, cwd: dir, file }, ['./app']);
    const bytes = readFileSync(file);

    const tee: Buffer[] = [];
    const summary = await inspectSlugArchive(inPieces(bytes, 7), {
      maxBytes: bytes.length,
      onChunk: (chunk) => void tee.push(chunk),
    });
    expect(summary).toEqual({ size: bytes.length, sha256: sha256(bytes) });
    expect(Buffer.concat(tee).equals(bytes)).toBe(true);
  });

  it('takes `app/...` entries without the leading ./, from a stream', async () => {
    const bytes = slug([
      { path: 'app/', type: 'Directory' },
      { path: 'app/Procfile', body: 'web: x' },
    ]);
    const stream = new PassThrough();
    stream.end(bytes);
    await expect(inspectSlugArchive(stream, LIMITS)).resolves.toEqual({
      size: bytes.length,
      sha256: sha256(bytes),
    });
  });

  it('takes an archive whose ./app is only implied by its entries', async () => {
    await expect(inspect(slug([PROCFILE]))).resolves.toMatchObject({ size: expect.any(Number) });
  });

  it('takes links that stay inside ./app', async () => {
    const bytes = slug([
      APP,
      PROCFILE,
      { path: './app/bin/', type: 'Directory' },
      { path: './app/bin/up', type: 'SymbolicLink', linkpath: '../Procfile' },
      { path: './app/here', type: 'SymbolicLink', linkpath: '.' },
      { path: './app/copy', type: 'Link', linkpath: './app/Procfile' },
    ]);
    await expect(inspect(bytes)).resolves.toMatchObject({ size: bytes.length });
  });

  it('refuses what is not gzip', async () => {
    const error = await refusal(inspect(tarball([APP, PROCFILE])));
    expect(error.message).toMatch(/not gzip-compressed/);
    expect(error.tooLarge).toBe(false);
    expect((await refusal(inspect(Buffer.alloc(0)))).message).toMatch(/not gzip-compressed/);
    expect((await refusal(inspect(Buffer.from([0x1f])))).message).toMatch(/not gzip/);
  });

  it('refuses a gzip stream that is not a tar, or is cut short', async () => {
    const text = gzipSync(Buffer.from('just some text, not a tarball\n'));
    expect((await refusal(inspect(text))).message).toMatch(/not a tar archive/);
    const whole = slug([APP, { path: './app/big', body: randomBytes(20_000).toString('hex') }]);
    const cut = await refusal(inspect(whole.subarray(0, whole.length / 2)));
    expect(cut.message).toMatch(/gzip|damaged/);
  });

  it('refuses more than maxBytes, as too large, and tees no byte past it', async () => {
    const bytes = slug([APP, { path: './app/big', body: randomBytes(10_000).toString('hex') }]);
    let teed = 0;
    const error = await refusal(
      inspect(bytes, {
        maxBytes: bytes.length - 1,
        onChunk: (chunk) => void (teed += chunk.length),
      }),
    );
    expect(error).toBeInstanceOf(SlugArchiveTooLargeError);
    expect(error.tooLarge).toBe(true);
    expect(teed).toBeLessThan(bytes.length);
    await expect(inspect(bytes, { maxBytes: bytes.length })).resolves.toBeDefined();
  });

  it('refuses an archive without ./app', async () => {
    expect((await refusal(inspect(slug([{ path: './web.js' }])))).message).toMatch(
      /"\.\/web\.js" in the slug is not under \.\/app/,
    );
    expect((await refusal(inspect(slug([{ path: './', type: 'Directory' }])))).message).toMatch(
      /not under \.\/app/,
    );
    // tar itself counts an archive of end blocks alone as no archive.
    expect((await refusal(inspect(gzipSync(Buffer.alloc(1024))))).message).toMatch(
      /not a tar archive/,
    );
    const commentOnly = slug([
      { path: 'comment', type: 'GlobalExtendedHeader', body: '13 comment=x\n' },
    ]);
    expect((await refusal(inspect(commentOnly))).message).toMatch(/no \.\/app directory/);
  });

  it('refuses an entry beside ./app', async () => {
    const error = await refusal(inspect(slug([APP, PROCFILE, { path: './application/x' }])));
    expect(error.message).toMatch(/not under \.\/app/);
  });

  it('refuses .. components', async () => {
    const error = await refusal(inspect(slug([APP, { path: './app/../etc/passwd' }])));
    expect(error.message).toMatch(/"\.\/app\/\.\.\/etc\/passwd" in the slug has a \.\. component/);
  });

  it('refuses absolute paths', async () => {
    const error = await refusal(inspect(slug([{ path: '/app/', type: 'Directory' }])));
    expect(error.message).toMatch(/is an absolute path/);
  });

  it('refuses a ./app that is not a directory', async () => {
    const error = await refusal(inspect(slug([{ path: './app', body: 'x' }])));
    expect(error.message).toMatch(/\.\/app in the slug must be a directory/);
    const link = await refusal(
      inspect(slug([{ path: 'app', type: 'SymbolicLink', linkpath: '.' }])),
    );
    expect(link.message).toMatch(/must be a directory/);
  });

  it.each([
    ['up and out', '../../etc'],
    ['just out', '..'],
    ['absolute', '/etc/passwd'],
    ['up into another folder', '../other/x'],
  ])('refuses a symlink out of ./app (%s)', async (_, target) => {
    const error = await refusal(
      inspect(slug([APP, { path: './app/l', type: 'SymbolicLink', linkpath: target }])),
    );
    expect(error.message).toMatch(/The symlink .*l.* in the slug points out of \.\/app/);
  });

  it('refuses a symlink out of ./app through another symlink, though each looks inside', async () => {
    // app/s is app itself, so app/s/s/.. is app/.. (outside) where the letters say app/s.
    const error = await refusal(
      inspect(
        slug([
          APP,
          { path: './app/s', type: 'SymbolicLink', linkpath: '.' },
          { path: './app/l', type: 'SymbolicLink', linkpath: 's/s/../..' },
        ]),
      ),
    );
    expect(error.message).toMatch(/The symlink \.\/app\/l in the slug points out of \.\/app/);
  });

  it('refuses symlinks in a loop', async () => {
    const error = await refusal(
      inspect(
        slug([
          APP,
          { path: './app/a', type: 'SymbolicLink', linkpath: 'b' },
          { path: './app/b', type: 'SymbolicLink', linkpath: 'a' },
        ]),
      ),
    );
    expect(error.message).toMatch(/part of a loop/);
  });

  it('refuses an entry through a symlink of the archive', async () => {
    const error = await refusal(
      inspect(
        slug([
          APP,
          { path: './app/sub/', type: 'Directory' },
          { path: './app/s', type: 'SymbolicLink', linkpath: 'sub' },
          { path: './app/s/file', body: 'x' },
        ]),
      ),
    );
    expect(error.message).toMatch(/goes through the symlink \.\/app\/s/);
  });

  it('refuses an entry that appears twice, or inside a file', async () => {
    const twice = await refusal(inspect(slug([APP, PROCFILE, PROCFILE])));
    expect(twice.message).toMatch(/appears twice/);
    const inside = await refusal(inspect(slug([APP, PROCFILE, { path: './app/Procfile/x' }])));
    expect(inside.message).toMatch(/is inside a file/);
    const replaced = await refusal(
      inspect(
        slug([APP, PROCFILE, { path: './app/Procfile', type: 'SymbolicLink', linkpath: '/' }]),
      ),
    );
    expect(replaced.message).toMatch(/appears twice/);
  });

  it.each([
    ['up and out', './app/../etc/passwd', /has a \.\. component/],
    ['elsewhere', './etc/passwd', /not under \.\/app/],
    ['absolute', '/etc/passwd', /absolute path/],
    ['to nothing before it', './app/later', /does not name a file before it/],
    ['to a directory', './app', /does not name a file before it/],
  ])('refuses a hard link %s', async (_, target, message) => {
    const error = await refusal(
      inspect(
        slug([APP, { path: './app/h', type: 'Link', linkpath: target }, { path: './app/later' }]),
      ),
    );
    expect(error.message).toMatch(message);
  });

  it.each([['CharacterDevice'], ['BlockDevice'], ['FIFO']] as const)(
    'refuses a %s entry',
    async (type) => {
      const error = await refusal(inspect(slug([APP, { path: './app/dev', type }])));
      expect(error.message).toContain(`"./app/dev" in the slug is a ${type}`);
    },
  );

  it('refuses entries that tar itself would skip', async () => {
    const error = await refusal(inspect(slug([APP, { path: './app/s', type: 'SparseFile' }])));
    expect(error.message).toMatch(/of a kind not allowed/);
  });

  it('refuses a damaged header', async () => {
    const raw = tarball([APP, PROCFILE]);
    raw[512 + 148] ^= 0xff;
    expect((await refusal(inspect(gzipSync(raw)))).message).toMatch(/damaged/);
  });

  it('refuses more entries than maxEntries, or more unpacked bytes than maxUnpackedBytes', async () => {
    const bytes = slug([APP, PROCFILE, { path: './app/a' }]);
    await expect(inspect(bytes, { ...LIMITS, maxEntries: 3 })).resolves.toBeDefined();
    expect((await refusal(inspect(bytes, { ...LIMITS, maxEntries: 2 }))).message).toMatch(
      /more than 2 entries/,
    );
    const big = slug([APP, { path: './app/a', body: 'x'.repeat(100) }]);
    await expect(inspect(big, { ...LIMITS, maxUnpackedBytes: 100 })).resolves.toBeDefined();
    expect((await refusal(inspect(big, { ...LIMITS, maxUnpackedBytes: 99 }))).message).toMatch(
      /unpacks to more than the 99 bytes/,
    );
  });

  it('leaves a stream it stops reading early open', async () => {
    const bytes = tarball([APP, PROCFILE]);
    const stream = new PassThrough();
    stream.write(bytes);
    await refusal(inspectSlugArchive(stream, LIMITS));
    expect(stream.destroyed).toBe(false);
  });

  it('refuses a stream that fails', async () => {
    const stream = new PassThrough();
    stream.write(slug([APP]).subarray(0, 10));
    setImmediate(() => stream.destroy());
    expect((await refusal(inspectSlugArchive(stream, LIMITS))).message).toMatch(
      /stopped before the slug ended/,
    );
  });
});

describe('unpackSlugArchive', () => {
  let dir: string;
  let into: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'slug-unpack-'));
    into = path.join(dir, 'dyno');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function archive(entries: RawEntry[]): string {
    const file = path.join(dir, 'slug.tgz');
    writeFileSync(file, slug(entries));
    return file;
  }

  it('extracts the contents of ./app, with modes and links', async () => {
    const big = randomBytes(300_000);
    const file = path.join(dir, 'slug.tgz');
    mkdirSync(path.join(dir, 'src/app/bin'), { recursive: true });
    writeFileSync(path.join(dir, 'src/app/Procfile'), 'web: bin/web\n');
    writeFileSync(path.join(dir, 'src/app/bin/web'), '#!/bin/sh\necho hi\n');
    chmodSync(path.join(dir, 'src/app/bin/web'), 0o755);
    writeFileSync(path.join(dir, 'src/app/big.bin'), big);
    writeFileSync(path.join(dir, 'src/app/empty'), '');
    symlinkSync('bin/web', path.join(dir, 'src/app/start'));
    await create({ gzip: true, cwd: path.join(dir, 'src'), file }, ['./app']);

    await unpackSlugArchive(file, into, LIMITS);
    expect(readdirSync(into).sort()).toEqual(['Procfile', 'big.bin', 'bin', 'empty', 'start']);
    expect(readFileSync(path.join(into, 'Procfile'), 'utf8')).toBe('web: bin/web\n');
    expect(readFileSync(path.join(into, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(path.join(into, 'empty'), 'utf8')).toBe('');
    expect(statSync(path.join(into, 'bin/web')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(path.join(into, 'start'))).toBe('bin/web');
    expect(readFileSync(path.join(into, 'start'), 'utf8')).toContain('echo hi');
  });

  it('extracts hard links and directories given after their contents', async () => {
    const file = archive([
      { path: 'app/lib/a.js', body: 'a' },
      { path: 'app/lib/b.js', type: 'Link', linkpath: 'app/lib/a.js' },
      { path: 'app/lib/', type: 'Directory', mode: 0o750 },
    ]);
    await unpackSlugArchive(file, into, LIMITS);
    expect(statSync(path.join(into, 'lib/b.js')).ino).toBe(
      statSync(path.join(into, 'lib/a.js')).ino,
    );
    expect(statSync(path.join(into, 'lib')).mode & 0o777).toBe(0o750);
  });

  it('refuses a bad archive before writing anything', async () => {
    const file = archive([
      APP,
      PROCFILE,
      { path: './app/s', type: 'SymbolicLink', linkpath: '.' },
      { path: './app/l', type: 'SymbolicLink', linkpath: 's/s/../..' },
    ]);
    await refusal(unpackSlugArchive(file, into, LIMITS));
    expect(existsSync(into)).toBe(false);
  });

  it('refuses an archive larger than maxBytes', async () => {
    const file = archive([APP, PROCFILE]);
    const error = await refusal(unpackSlugArchive(file, into, { maxBytes: 10 }));
    expect(error.tooLarge).toBe(true);
  });

  /**
   * `slug.tgz` links to a FIFO: the first read (the check) gets the archive, and once it
   * has opened its FIFO the link moves to another, whose read (the extraction) gets `then`.
   */
  async function swappedArchive(then: Buffer): Promise<{ archive: string; fed: Promise<void> }> {
    const [first, second, archive] = ['first.fifo', 'second.fifo', 'slug.tgz'].map((name) =>
      path.join(dir, name),
    );
    execFileSync('mkfifo', [first, second]);
    symlinkSync(first, archive);
    const checked = await appArchive({
      Procfile: 'web: node web.js\n',
      'big.bin': 'x'.repeat(300_000),
    });
    const fed = (async () => {
      const writer = createWriteStream(first);
      await once(writer, 'open');
      symlinkSync(second, `${archive}.next`);
      renameSync(`${archive}.next`, archive);
      writer.end(checked);
      await once(writer, 'close');
      const swapped = createWriteStream(second);
      // The extraction may stop reading before the end.
      swapped.on('error', () => undefined);
      swapped.end(then);
      await once(swapped, 'close');
    })();
    return { archive, fed };
  }

  it.each([
    [
      'another valid archive',
      () => appArchive({ Procfile: 'web: node other.js\n', 'big.bin': 'y'.repeat(300_000) }),
      /changed while it was being unpacked/,
    ],
    [
      'one with a symlink out',
      async () =>
        slug([APP, PROCFILE, { path: './app/l', type: 'SymbolicLink', linkpath: '../../x' }]),
      /points out of \.\/app/,
    ],
    [
      'one damaged in the middle of a file',
      async () => {
        const damaged = await appArchive({ 'big.bin': randomBytes(300_000).toString('hex') });
        const middle = Math.floor(damaged.length / 2);
        return damaged.fill(0xff, middle, middle + 64);
      },
      /gzip|damaged/,
    ],
  ])('refuses an archive that became %s after it was checked', async (_, then, message) => {
    const { archive, fed } = await swappedArchive(await then());
    const error = await refusal(unpackSlugArchive(archive, into, LIMITS));
    expect(error.message).toMatch(message);
    await fed;
  });

  it('unpacks only into an empty directory', async () => {
    mkdirSync(into);
    symlinkSync('/etc', path.join(into, 'app'));
    await expect(unpackSlugArchive(archive([APP, PROCFILE]), into, LIMITS)).rejects.toThrow(
      /must be empty/,
    );
    expect(lstatSync(path.join(into, 'app')).isSymbolicLink()).toBe(true);
  });
});
