import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describeError } from '../common/http-client/describe-error.js';
import { JsonClient } from '../common/http-client/json-client.js';
import type { ManagedSlug } from './managed-dyno.js';

/** A slug that could not be had: the dyno that needs it crashes with this message. */
export class SlugUnavailableError extends Error {}

/** A download that has not finished by then fails (and is tried again at the next start). */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * The slugs dynos run, each downloaded once into `<dir>/<id>.tgz` with the manager's token
 * and kept only if its SHA-256 is the one the listing names. A file already there (from an
 * earlier run) is checked once per run before it is used.
 */
export class SlugCache {
  private readonly ready = new Map<string, Promise<string>>();
  private readonly downloads = new AbortController();

  constructor(
    private readonly dir: string,
    private readonly client: JsonClient,
  ) {}

  /** Ends the downloads in flight (at shutdown). */
  abort(): void {
    this.downloads.abort(new Error('the dyno manager is stopping'));
  }

  /** The path of the verified archive; concurrent starts of one slug share one download. */
  get(slug: ManagedSlug): Promise<string> {
    const key = `${slug.id}:${slug.checksum}`;
    let ready = this.ready.get(key);
    if (!ready) {
      ready = this.fetch(slug);
      this.ready.set(key, ready);
      // A failure is not kept: the next start tries again.
      ready.catch(() => this.ready.delete(key));
    }
    return ready;
  }

  private async fetch(slug: ManagedSlug): Promise<string> {
    const expected = /^SHA256:([0-9a-f]{64})$/i.exec(slug.checksum)?.[1]?.toLowerCase();
    if (!expected) throw new SlugUnavailableError(`Slug ${slug.id} has no SHA256 checksum`);
    const file = path.join(this.dir, `${slug.id}.tgz`);
    if ((await exists(file)) && (await sha256Of(file)) === expected) return file;

    await mkdir(this.dir, { recursive: true });
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
    try {
      const response = await this.client.fetch(
        this.apiPath(slug),
        { signal: this.downloads.signal },
        DOWNLOAD_TIMEOUT_MS,
      );
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        throw new SlugUnavailableError(
          `Slug ${slug.id} could not be downloaded: the control plane answered ${response.status}`,
        );
      }
      const hash = createHash('sha256');
      const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      source.on('data', (chunk: Buffer) => hash.update(chunk));
      await pipeline(source, createWriteStream(partial, { mode: 0o600 }));
      const actual = hash.digest('hex');
      if (actual !== expected) {
        throw new SlugUnavailableError(
          `Slug ${slug.id} does not match its checksum (got SHA256:${actual})`,
        );
      }
      await rename(partial, file);
      return file;
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof SlugUnavailableError) throw error;
      throw new SlugUnavailableError(
        `Slug ${slug.id} could not be downloaded: ${describeError(error)}`,
      );
    }
  }

  /** Only the control plane gets the token: an absolute URL elsewhere is refused. */
  private apiPath(slug: ManagedSlug): string {
    if (slug.url.startsWith('/') && !slug.url.startsWith('//')) return slug.url;
    const base = `${this.client.baseUrl}/`;
    if (slug.url.startsWith(base)) return slug.url.slice(base.length - 1);
    throw new SlugUnavailableError(`Slug ${slug.id} is not served by the control plane`);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
