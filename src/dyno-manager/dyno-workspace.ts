import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { SlugArchiveError, unpackSlugArchive } from '../common/archive/slug-archive.js';
import type { ManagedDyno } from './managed-dyno.js';
import { SlugCache, SlugUnavailableError } from './slug-cache.js';

/**
 * Far above Heroku's 500 MB: the control plane enforces the real limit when a slug is
 * uploaded; this only bounds what a manager unpacks.
 */
const SLUG_LIMITS = { maxBytes: 2 * 1024 ** 3 };

/** A dyno that could not be prepared: it crashes with this one-line message. */
export class WorkspaceError extends Error {}

/**
 * Each dyno's own directory, `<dir>/dynos/<app-id>/<dyno-name>/`: emptied for every start
 * and holding a fresh copy of its release's slug (or nothing, for a release without one).
 */
export class DynoWorkspace {
  private readonly root: string;

  constructor(
    dir: string,
    private readonly slugs: SlugCache,
  ) {
    this.root = path.join(dir, 'dynos');
  }

  directoryOf(dyno: Pick<ManagedDyno, 'app' | 'name'>): string {
    return path.join(this.root, dyno.app.id, dyno.name);
  }

  async prepare(dyno: ManagedDyno): Promise<string> {
    const directory = this.directoryOf(dyno);
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true, mode: 0o700 });
    if (dyno.slug) {
      try {
        await unpackSlugArchive(await this.slugs.get(dyno.slug), directory, SLUG_LIMITS);
      } catch (error) {
        if (error instanceof SlugUnavailableError) throw new WorkspaceError(error.message);
        if (error instanceof SlugArchiveError)
          throw new WorkspaceError(`Slug ${dyno.slug.id} could not be unpacked: ${error.message}`);
        throw error;
      }
    }
    return directory;
  }

  /** Once a dyno is gone: its directory, and its app's once empty. */
  async remove(dyno: Pick<ManagedDyno, 'app' | 'name'>): Promise<void> {
    const directory = this.directoryOf(dyno);
    await rm(directory, { recursive: true, force: true });
    await rmdir(path.dirname(directory)).catch(() => undefined);
  }

  /** At start, once the previous run's processes are gone. */
  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
