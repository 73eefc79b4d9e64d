import { Pause } from '../common/http-client/pause.js';
import { Backoff } from '../common/http-client/backoff.js';
import { describeError } from '../common/http-client/describe-error.js';
import type { ControlPlaneApi } from './control-plane-api.js';
import type { ManagedDyno } from './managed-dyno.js';

export type Scope = 'all' | ReadonlySet<string>;

/** The sync stopped before the listing asked for was applied. */
export class ListingStopped extends Error {
  constructor() {
    super('the listing sync stopped');
  }
}

export interface ListingSyncOptions {
  api: Pick<ControlPlaneApi, 'listAll' | 'listApp'>;
  /** A listing of the apps in scope (an app gone is in scope with no dynos). */
  apply: (listed: ManagedDyno[], scope: Scope) => void;
  log: (at: 'info' | 'error', message: string, fields: object) => void;
  backoff?: Backoff;
  /** Apps listed at once. */
  concurrency?: number;
}

/**
 * Asks the control plane what should run, one request at a time per app: a full listing
 * and the listings of single apps never overlap, so an older answer can never be applied
 * after a newer one. Failures are retried with backoff and nothing is applied meanwhile,
 * so the dynos keep running as they are (fail-static).
 */
export class ListingSync {
  private readonly backoff: Backoff;
  private readonly concurrency: number;
  private fullWanted = false;
  private readonly appsWanted = new Set<string>();
  private fullWaiters: Array<{
    resolve: (version: number) => void;
    reject: (error: Error) => void;
  }> = [];
  private running?: Promise<void>;
  private stopped = false;
  private readonly pause = new Pause();

  constructor(private readonly options: ListingSyncOptions) {
    this.backoff = options.backoff ?? new Backoff();
    this.concurrency = options.concurrency ?? 4;
  }

  /**
   * Resolves with the version of a full listing applied after this call; rejects if the
   * sync is stopped first.
   */
  all(): Promise<number> {
    if (this.stopped) return Promise.reject(new ListingStopped());
    this.fullWanted = true;
    const applied = new Promise<number>((resolve, reject) =>
      this.fullWaiters.push({ resolve, reject }),
    );
    this.kick();
    return applied;
  }

  app(appId: string): void {
    this.appsWanted.add(appId);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pause.interrupt();
    for (const waiter of this.fullWaiters.splice(0)) waiter.reject(new ListingStopped());
    await this.running;
  }

  private kick(): void {
    if (!this.stopped) this.running ??= this.run();
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped && (this.fullWanted || this.appsWanted.size > 0)) {
        try {
          if (this.fullWanted) await this.listAll();
          else await this.listApps();
          this.backoff.reset();
        } catch (error) {
          if (this.stopped) return;
          const delay = this.backoff.next();
          this.options.log('error', 'listing failed: dynos keep running as they are', {
            error: describeError(error),
            retry_in_ms: delay,
          });
          await this.pause.for(delay);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private async listAll(): Promise<void> {
    // Requests made from here on are answered by this listing or a later one.
    this.fullWanted = false;
    const waiters = this.fullWaiters.splice(0);
    const covered = [...this.appsWanted];
    this.appsWanted.clear();
    try {
      const { version, dynos } = await this.options.api.listAll();
      this.options.apply(dynos, 'all');
      for (const waiter of waiters) waiter.resolve(version);
    } catch (error) {
      this.fullWanted = true;
      this.fullWaiters.unshift(...waiters);
      for (const appId of covered) this.appsWanted.add(appId);
      throw error;
    }
  }

  private async listApps(): Promise<void> {
    const apps = [...this.appsWanted].slice(0, this.concurrency);
    for (const appId of apps) this.appsWanted.delete(appId);
    const failures: unknown[] = [];
    await Promise.all(
      apps.map(async (appId) => {
        try {
          const dynos = await this.options.api.listApp(appId);
          this.options.apply(dynos ?? [], new Set([appId]));
        } catch (error) {
          this.appsWanted.add(appId);
          failures.push(error);
        }
      }),
    );
    if (failures.length > 0) throw failures[0];
  }
}
