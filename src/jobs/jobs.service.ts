import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import {
  makeWorkerUtils,
  parseCronItems,
  run,
  type CronItem,
  type Runner,
  type Task,
  type TaskList,
  type TaskSpec,
  type WorkerUtils,
} from 'graphile-worker';
import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DATABASE_URL } from '../database/database.tokens.js';
import type { PrismaTransaction } from '../database/prisma.service.js';
import { jobsLogger } from './jobs-logger.js';

export type { JobHelpers, Task } from 'graphile-worker';

export const JOBS_APPLICATION_NAME = 'drydock jobs';
/** A runner whose worker died is started again after this long (graphile-worker does not replace it). */
const RESTART_DELAY_MS = 1000;

/** A recurring job: `task` runs once per match of `match` (crontab syntax, UTC), on one replica. */
export interface ScheduledJob {
  task: string;
  match: string;
}

/**
 * Background jobs on PostgreSQL (graphile-worker), inside the API process. Every replica
 * runs a runner on the same tables, so each job runs once, on whichever replica takes it
 * first: LISTEN/NOTIFY starts a new job within milliseconds, a job key keeps one pending
 * job per key, and run_at schedules one for later. No named queues: graphile-worker keeps a
 * queue locked for 4 hours after its replica dies mid-job; work that must not overlap takes
 * a lock in the database instead. Modules register their tasks and schedules before the
 * application starts; the runner starts with it and stops, letting running jobs finish,
 * when it closes.
 */
@Injectable()
export class Jobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Jobs.name);
  private readonly graphileLogger = jobsLogger(this.logger);
  private readonly tasks: TaskList = {};
  private readonly schedules: CronItem[] = [];
  private pool?: pg.Pool;
  private utils?: WorkerUtils;
  private runner?: Runner;
  private restarting?: Promise<void>;
  private stopped = false;
  private markReady!: (utils: WorkerUtils) => void;
  private markFailed!: (error: unknown) => void;
  /** Resolves once jobs can be added (the schema is there); jobs added before wait for it. */
  private readonly ready = new Promise<WorkerUtils>((resolve, reject) => {
    this.markReady = resolve;
    this.markFailed = reject;
  });

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A job added during shutdown fails its caller; nobody else waits on this promise.
    this.ready.catch(() => undefined);
  }

  /** True once the application is closing: jobs can no longer be added. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Registers the handler of jobs named `identifier`; before the application starts. */
  register<P>(identifier: string, task: (payload: P, helpers: Parameters<Task>[1]) => unknown) {
    if (this.runner || this.stopped) throw new Error(`task ${identifier} registered too late`);
    if (this.tasks[identifier]) throw new Error(`task ${identifier} registered twice`);
    this.tasks[identifier] = task as Task;
  }

  /** Runs `task` (registered) on a schedule, once across all replicas; before the application starts. */
  schedule({ task, match }: ScheduledJob): void {
    if (this.runner || this.stopped) throw new Error(`schedule of ${task} registered too late`);
    // No backfill: a schedule missed while every replica was down is not made up.
    this.schedules.push({ task, match, identifier: task, options: { backfillPeriod: 0 } });
  }

  /** Adds (or, with a job key already pending, updates) a job; waits until the engine is up. */
  async addJob(identifier: string, payload: object, spec?: TaskSpec): Promise<void> {
    if (this.stopped) throw new Error('the job engine is stopped');
    const utils = await this.ready;
    await utils.addJob(identifier, payload, spec);
  }

  /**
   * Adds a job inside a caller's transaction (graphile-worker's add_job), so that it exists
   * exactly when the change that needs it commits. With a job key already pending, the
   * pending job is replaced.
   */
  async addJobIn(
    tx: PrismaTransaction,
    identifier: string,
    payload: object,
    spec: { runAt: Date; jobKey: string; maxAttempts?: number },
  ): Promise<void> {
    await tx.$queryRaw`SELECT 1 FROM graphile_worker.add_job(${identifier}, ${JSON.stringify(payload)}::json,
      run_at => ${spec.runAt}::timestamptz, job_key => ${spec.jobKey},
      max_attempts => ${spec.maxAttempts ?? 25}::integer)`;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      this.pool = this.createPool();
      this.utils = await makeWorkerUtils({ pgPool: this.pool, logger: this.graphileLogger });
      // Usually a no-op check: the migrator installed the schema under its lock.
      await this.utils.migrate();
      this.markReady(this.utils);
      await this.startRunner();
    } catch (error) {
      this.markFailed(error);
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.markFailed(new Error('the job engine is stopped'));
    await this.restarting?.catch(() => undefined);
    await this.runner?.stop().catch(() => undefined);
    await Promise.resolve(this.utils?.release()).catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
  }

  private createPool(): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.databaseUrl,
      application_name: JOBS_APPLICATION_NAME,
      // The runner's workers, its LISTEN connection and the cron's.
      max: this.config.jobsConcurrency + 3,
      connectionTimeoutMillis: this.config.database.connectTimeoutMs,
      statement_timeout: this.config.database.statementTimeoutMs,
      keepAlive: true,
    });
    // An idle connection that breaks (the database restarting) is dropped, not fatal.
    pool.on('error', (error) => this.logger.warn(`jobs connection lost: ${error.message}`));
    return pool;
  }

  private async startRunner(): Promise<void> {
    const runner = await run({
      pgPool: this.pool,
      concurrency: this.config.jobsConcurrency,
      pollInterval: this.config.jobsPollIntervalMs,
      noHandleSignals: true,
      logger: this.graphileLogger,
      taskList: this.tasks,
      parsedCronItems: parseCronItems(this.schedules),
    });
    this.runner = runner;
    if (this.stopped) return void (await runner.stop());
    // A worker whose job could not be released (the database went away) exits for good.
    runner.events.on('worker:fatalError', () => this.restartLater(runner));
    runner.promise.catch((error: unknown) => {
      this.logger.error(`job runner stopped: ${String(error)}`);
      this.restartLater(runner);
    });
  }

  private restartLater(runner: Runner): void {
    if (this.stopped || this.restarting || this.runner !== runner) return;
    this.logger.warn(`a job worker exited; restarting the job runner in ${RESTART_DELAY_MS} ms`);
    this.restarting = (async () => {
      await runner.stop().catch(() => undefined);
      for (let delay = RESTART_DELAY_MS; !this.stopped; delay = Math.min(delay * 2, 30_000)) {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        if (this.stopped) return;
        try {
          await this.startRunner();
          return;
        } catch (error) {
          this.logger.warn(`job runner restart failed: ${String(error)}`);
        }
      }
    })().finally(() => (this.restarting = undefined));
  }
}
