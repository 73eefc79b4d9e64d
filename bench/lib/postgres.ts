import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { cpuSecondsOf } from './processes.js';
import { distModule } from './settings.js';

interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * One real PostgreSQL for the whole run: the server of DATABASE_URL when it is set,
 * otherwise drydock's own embedded PostgreSQL (startEmbeddedPostgres) in a temporary
 * directory. Each benchmark gets a fresh database on it, migrated by drydock's migrator.
 */
export class PgServer {
  private constructor(
    private readonly serverUrl: string,
    readonly description: string,
    private readonly embedded?: { database: EmbeddedDatabase; dataDir: string },
  ) {}

  static async start(tmpDir: string): Promise<PgServer> {
    const given = process.env.DATABASE_URL;
    if (given) return new PgServer(given, `DATABASE_URL (${redact(given)})`);
    const dataDir = await mkdtemp(path.join(tmpDir, 'pg-'));
    // The embedded server may run as an unprivileged user, which must reach its data.
    await chmod(tmpDir, 0o755);
    await chmod(dataDir, 0o755);
    const { startEmbeddedPostgres } = await distModule<{
      startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase>;
    }>('database/embedded-postgres.js');
    const database = await startEmbeddedPostgres(dataDir);
    return new PgServer(database.url, `embedded PostgreSQL in ${dataDir}`, { database, dataDir });
  }

  /** The URL of another database on this server. */
  url(database: string): string {
    const parsed = new URL(this.serverUrl);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  }

  async admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** A new, empty, migrated database; replaces one left over by an earlier run. */
  async createDatabase(name: string): Promise<string> {
    await this.admin(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${name}`);
    });
    const url = this.url(name);
    const { migrate } = await distModule<{ migrate(url: string): Promise<unknown> }>(
      'database/migrator.js',
    );
    await migrate(url);
    return url;
  }

  async dropDatabase(name: string): Promise<void> {
    await this.admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }

  /**
   * CPU seconds the embedded server has used: the postmaster, its backends that exited
   * (cutime/cstime) and those alive. Undefined for DATABASE_URL.
   */
  cpuSeconds(): number | undefined {
    if (!this.embedded) return undefined;
    try {
      const pidFile = path.join(this.embedded.dataDir, 'postgres', 'postmaster.pid');
      const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      let total = cpuSecondsOf(postmaster, true);
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) {
            total += cpuSecondsOf(Number(entry));
          }
        } catch {
          // exited meanwhile: counted in the postmaster's cutime once waited for
        }
      }
      return total;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (!this.embedded) return;
    await this.embedded.database.stop();
    await rm(this.embedded.dataDir, { recursive: true, force: true });
  }

  /**
   * For an exit that cannot wait: an immediate shutdown of the embedded server (SIGQUIT to
   * the postmaster), a short synchronous wait, then its directory is removed.
   */
  killSync(): void {
    if (!this.embedded) return;
    const { dataDir } = this.embedded;
    try {
      const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0) {
        process.kill(pid, 'SIGQUIT');
        const pause = new Int32Array(new SharedArrayBuffer(4));
        for (let i = 0; i < 50 && alive(pid); i++) Atomics.wait(pause, 0, 0, 100);
      }
    } catch {
      // not running
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Runs `work` with a client of `url`. */
export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
