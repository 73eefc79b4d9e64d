import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { StartupError } from '../common/errors/startup-error.js';

const run = promisify(execFile);

/** The unprivileged account the embedded PostgreSQL runs as when drydock runs as root. */
export interface ServerAccount {
  name: string;
  uid: number;
  gid: number;
}

const ACCOUNT_NAME = 'postgres';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * PostgreSQL refuses to run as root. As root, drydock runs it as `postgres`, created
 * (a system account without a home or a shell) when the machine has none; otherwise
 * the server runs as drydock's own user and this is undefined.
 */
export async function serverAccount(): Promise<ServerAccount | undefined> {
  if (!isRoot()) return undefined;
  const existing = await lookup(ACCOUNT_NAME);
  if (existing) return existing;
  try {
    await run('groupadd', ['--system', ACCOUNT_NAME]).catch(() => undefined);
    await run('useradd', [
      '--system',
      '--gid',
      ACCOUNT_NAME,
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      ACCOUNT_NAME,
    ]);
  } catch (error) {
    throw new StartupError(
      `PostgreSQL does not run as root, and creating a "${ACCOUNT_NAME}" account for the embedded server failed (${firstLine(error)}). Create one (useradd --system ${ACCOUNT_NAME}), run drydock as another user, or set DATABASE_URL.`,
    );
  }
  const created = await lookup(ACCOUNT_NAME);
  if (!created) throw new StartupError(`useradd did not create the "${ACCOUNT_NAME}" account.`);
  return created;
}

async function lookup(name: string): Promise<ServerAccount | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      run('id', ['-u', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
      run('id', ['-g', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
    ]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `account` may enter `dir` (every directory above it included). Asked of the
 * kernel as that account, so modes, ACLs and mounts all count as they will for the server.
 */
export function canEnter(account: ServerAccount | undefined, dir: string): boolean {
  if (!account) return true;
  const probe = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], {
    uid: account.uid,
    gid: account.gid,
    stdio: 'ignore',
  });
  return probe.status === 0;
}

/** The outermost directory on the way to `dir` that `account` cannot enter, for messages. */
export function firstClosedDirectory(account: ServerAccount, dir: string): string {
  const chain: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  return chain.find((candidate) => !canEnter(account, candidate)) ?? dir;
}

function firstLine(error: unknown): string {
  const text = (error as { stderr?: string }).stderr || (error as Error).message || String(error);
  return text.trim().split('\n')[0];
}
