import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { StartupError } from '../common/errors/startup-error.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import { isAlive, parentOf } from './process-table.js';
import type { ServerAccount } from './server-account.js';

export interface PostmasterOptions {
  binaries: PostgresBinaries;
  clusterDir: string;
  port: number;
  account: ServerAccount | undefined;
  /** Connects as this role to tell when the server accepts connections. */
  credentials: { user: string; password: string };
  /** Where drydock notes which of its processes runs this server. */
  ownerFile: string;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = { first: 250, max: 10_000 };
/** A server that stayed up this long is healthy again: the next restart starts from scratch. */
const STABLE_AFTER_MS = 30_000;

/**
 * Runs one PostgreSQL server as a child process and keeps it running: if it dies, it is
 * started again on the same port (with backoff), so the pool's next connection finds it.
 * A server left running by a drydock that was killed is found through its postmaster.pid
 * and stopped before a new one starts; one run by a live drydock is left alone.
 */
export class Postmaster {
  private child?: ChildProcess;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelay = RESTART_DELAY_MS.first;
  private startedAt = 0;
  private readonly recentOutput: string[] = [];
  private readonly killOnExit = () => this.child?.kill('SIGINT');

  constructor(private readonly options: PostmasterOptions) {}

  async start(): Promise<void> {
    await this.stopOrphan();
    await writeFile(this.options.ownerFile, `${process.pid}\n`);
    await this.spawnAndWait();
    // If drydock itself dies (an uncaught error), the server must not outlive it.
    process.on('exit', this.killOnExit);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    process.off('exit', this.killOnExit);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, data is flushed.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.options.ownerFile, { force: true });
  }

  private async spawnAndWait(): Promise<void> {
    const { binaries, clusterDir, port, account } = this.options;
    const child = spawn(
      binaries.postgres,
      [
        '-D',
        clusterDir,
        '-p',
        String(port),
        // Loopback TCP only: no unix socket file to collide with another checkout's server.
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      {
        ...(account ? { uid: account.uid, gid: account.gid } : {}),
        cwd: clusterDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
    this.child = child;
    this.recentOutput.length = 0;
    const remember = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.options.log('debug', line.trim());
        this.recentOutput.push(line.trim());
        if (this.recentOutput.length > 20) this.recentOutput.shift();
      }
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => this.exited(child, code, signal));

    const ready = await Promise.race([this.waitUntilReady(), exited.then(() => false)]);
    if (!ready) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
      throw new Error(
        `PostgreSQL in ${clusterDir} did not start: ${this.recentOutput.slice(-3).join(' / ') || 'no output'}`,
      );
    }
    this.startedAt = Date.now();
  }

  private async waitUntilReady(): Promise<boolean> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null || this.child?.signalCode !== null) return false;
      const client = new pg.Client({
        host: '127.0.0.1',
        port: this.options.port,
        database: 'postgres',
        ...this.options.credentials,
        connectionTimeoutMillis: 1000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return true;
      } catch {
        await client.end().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return false;
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || this.child !== child || this.startedAt === 0) return;
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.restartDelay = RESTART_DELAY_MS.first;
    this.options.log(
      'error',
      `embedded PostgreSQL exited (${signal ?? `code ${code}`}); restarting it in ${this.restartDelay} ms`,
    );
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    this.restartTimer = setTimeout(() => {
      this.spawnAndWait().then(
        () =>
          this.options.log(
            'info',
            `embedded PostgreSQL is running again on port ${this.options.port}`,
          ),
        (error: unknown) => {
          if (this.stopping) return;
          this.restartDelay = Math.min(this.restartDelay * 2, RESTART_DELAY_MS.max);
          this.options.log(
            'warn',
            `${(error as Error).message}; trying again in ${this.restartDelay} ms`,
          );
          this.scheduleRestart();
        },
      );
    }, this.restartDelay);
    this.restartTimer.unref();
  }

  /**
   * A postmaster.pid whose server still runs: if the drydock that started it is alive, it
   * is that drydock's database (refuse); otherwise it was orphaned by a killed drydock and
   * holds the data directory, so it is shut down first.
   */
  private async stopOrphan(): Promise<void> {
    const pidFile = path.join(this.options.clusterDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0], 10);
    if (!Number.isInteger(pid) || pid <= 0 || !isPostgres(pid)) return;
    const owner = existsSync(this.options.ownerFile)
      ? Number.parseInt(readFileSync(this.options.ownerFile, 'utf8'), 10)
      : undefined;
    const parent = parentOf(pid);
    if (owner && owner !== process.pid && isAlive(owner) && (parent ?? owner) === owner) {
      throw new StartupError(
        `Another drydock (pid ${owner}) is running the embedded PostgreSQL in ${this.options.clusterDir}. Stop it, or give this one another DATA_DIR.`,
      );
    }
    this.options.log(
      'warn',
      `stopping the embedded PostgreSQL (pid ${pid}) that a previous drydock left running in ${this.options.clusterDir}`,
    );
    for (const [signal, waitMs] of [
      ['SIGINT', STOP_TIMEOUT_MS],
      ['SIGQUIT', 5000],
      ['SIGKILL', 5000],
    ] as const) {
      try {
        process.kill(pid, signal);
      } catch {
        return;
      }
      const deadline = Date.now() + waitMs;
      while (isAlive(pid) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (!isAlive(pid)) return;
    }
    throw new StartupError(
      `The embedded PostgreSQL (pid ${pid}) in ${this.options.clusterDir} does not stop; stop it by hand.`,
    );
  }
}

/** The pid is a PostgreSQL server (pids are reused after a reboot). */
function isPostgres(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc (macOS): trust postmaster.pid, as PostgreSQL itself does.
    return true;
  }
}
