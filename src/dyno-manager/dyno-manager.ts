import path from 'node:path';
import type { Logger } from 'pino';
import { describeError } from '../common/http-client/describe-error.js';
import { JsonClient } from '../common/http-client/json-client.js';
import { LogShipper } from '../common/http-client/log-shipper.js';
import type { AttachSession } from './attach-session.js';
import { ChangeWatcher } from './change-watcher.js';
import { ControlPlaneApi } from './control-plane-api.js';
import type { DynoManagerConfig } from './dyno-manager-config.js';
import { DynoSupervisor } from './dyno-supervisor.js';
import { DynoWorkspace } from './dyno-workspace.js';
import { Heartbeat } from './heartbeat.js';
import { ListingSync } from './listing-sync.js';
import { stopGroup } from './process-group.js';
import { ProcessState } from './process-state.js';
import { ReportQueue } from './report-queue.js';
import { SlugCache } from './slug-cache.js';

/** A full listing this often, in case a change was missed in a way nothing noticed. */
export const RESYNC_INTERVAL_MS = 30_000;
/** At shutdown, how long the last reports (dynos down) may take to reach the control plane. */
const FINAL_REPORTS_MS = 5000;

/** A process group a previous run left, stopped before anything starts. */
const LOST_ERROR = 'Process lost: its dyno manager stopped';

/**
 * The reference dyno manager: lists what should run, follows the change stream, runs every
 * dyno as a local process and reports what each one does. See docs/dyno-manager-api.md.
 */
export class DynoManager {
  private readonly syncClient: JsonClient;
  private readonly reportClient: JsonClient;
  private readonly state: ProcessState;
  private readonly slugs: SlugCache;
  private readonly workspace: DynoWorkspace;
  private readonly reports: ReportQueue;
  private readonly sync: ListingSync;
  private readonly supervisor: DynoSupervisor;
  private readonly watcher: ChangeWatcher;
  private readonly heartbeat: Heartbeat;
  private readonly appLogs?: LogShipper;
  private rendezvous: string | null = null;
  private resync?: NodeJS.Timeout;
  private stopping = false;
  private stopped!: () => void;
  private readonly whenStopped = new Promise<void>((resolve) => (this.stopped = resolve));

  constructor(
    private readonly config: DynoManagerConfig,
    private readonly log: Logger,
  ) {
    const client = (timeoutMs: number) =>
      new JsonClient({ baseUrl: config.controlPlaneUrl, token: config.token, timeoutMs });
    // Listings can be aborted at shutdown without losing the last reports.
    this.syncClient = client(30_000);
    this.reportClient = client(10_000);
    const syncApi = new ControlPlaneApi(this.syncClient);
    const reportApi = new ControlPlaneApi(this.reportClient);

    this.state = new ProcessState(path.join(config.dir, 'processes.json'));
    this.slugs = new SlugCache(path.join(config.dir, 'slugs'), this.syncClient);
    this.workspace = new DynoWorkspace(config.dir, this.slugs);

    this.reports = new ReportQueue({
      send: ({ appId, dynoId, report }) => reportApi.report(appId, dynoId, report),
      onOutcome: ({ appId, dynoName, report }, outcome) => {
        const fields = {
          app_id: appId,
          dyno: dynoName,
          state: report.state,
          generation: report.generation,
        };
        if (outcome === 'accepted') return log.debug(fields, 'state reported');
        if (outcome === 'refused') return log.error(fields, 'state report refused');
        // A newer generation, or no such dyno any more: the app's listing says what to run.
        log.info({ ...fields, outcome }, 'state report not taken: listing the app again');
        this.sync.app(appId);
      },
      onRetry: (failed, error, retryInMs) =>
        log.error(
          {
            failed,
            waiting: this.reports.size,
            error: describeError(error),
            retry_in_ms: retryInMs,
          },
          'state reports not delivered: keeping them',
        ),
      onDropped: ({ appId, dynoName }) =>
        log.error({ app_id: appId, dyno: dynoName }, 'state report dropped: too many waiting'),
    });

    this.sync = new ListingSync({
      api: syncApi,
      apply: (listed, scope) => this.supervisor.apply(listed, scope),
      log: (at, message, fields) => log[at](fields, message),
    });

    this.appLogs = config.logShipping
      ? new LogShipper({
          baseUrl: config.controlPlaneUrl,
          token: config.token,
          maxLines: config.logBufferLines,
          linesPerSecond: config.logLinesPerSecond,
          onLoss: ({ dropped, refused, status }) =>
            log.error(
              { state: 'log-lines-dropped', dropped, refused: refused || undefined, status },
              'log lines dropped',
            ),
          onRetry: (error, retryInMs) =>
            log.error(
              { state: 'log-shipping-failed', error, retry_in_ms: retryInMs },
              'log lines not delivered: keeping them',
            ),
        })
      : undefined;

    this.supervisor = new DynoSupervisor({
      dynoHost: config.dynoHost,
      stopTimeoutMs: config.stopTimeoutMs,
      bootTimeoutMs: config.bootTimeoutMs,
      crashCooldownMs: config.crashCooldownMs,
      path: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      workspace: this.workspace,
      state: this.state,
      report: (dyno, report) =>
        this.reports.put({ appId: dyno.app.id, dynoId: dyno.id, dynoName: dyno.name, report }),
      relistAll: () => this.sync.all(),
      logs: this.appLogs,
      log,
    });

    this.watcher = new ChangeWatcher({
      client: this.syncClient,
      onChange: (appId) => this.sync.app(appId),
      relistAll: () => this.sync.all(),
      log: (at, message, fields) => log[at](fields, message),
    });

    this.heartbeat = new Heartbeat(syncApi, config.name, () => this.rendezvous, log);
  }

  /**
   * Where `heroku run` attaches: the rendezvous's port once it listens, advertised at
   * DYNO_MANAGER_RENDEZVOUS_HOST in every heartbeat from then on (null: it takes no
   * attachments).
   */
  advertiseRendezvous(port: number | null): void {
    this.rendezvous = port === null ? null : `${this.config.rendezvousHost}:${port}`;
    this.heartbeat.now();
  }

  /** For the rendezvous: the attached one-off dyno a client's secret opens, once. */
  authorize(secret: string): Promise<AttachSession | null> {
    return this.supervisor.authorize(secret);
  }

  /**
   * Stops what a previous run left, then follows the control plane. Resolves once the
   * first listing is applied (false if stopped before: the control plane was never reached).
   */
  async start(): Promise<boolean> {
    await this.replaceLeftovers();
    this.heartbeat.start();
    const version = await Promise.race([
      this.sync.all().catch(() => null),
      this.whenStopped.then(() => null),
    ]);
    if (version === null) return false;
    this.log.info({ version }, 'listing applied: following changes');
    this.watcher.start(version);
    this.resync = setInterval(() => this.sync.all().catch(() => undefined), RESYNC_INTERVAL_MS);
    return true;
  }

  /** Stops every dyno and reports them down; nothing outlives the manager. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopped();
    clearInterval(this.resync);
    this.syncClient.abortAll();
    this.slugs.abort();
    await Promise.all([
      this.supervisor.shutdown(),
      this.watcher.stop(),
      this.sync.stop(),
      this.heartbeat.stop(),
    ]);
    const [delivered] = await Promise.all([
      this.reports.flush(FINAL_REPORTS_MS),
      this.appLogs?.stop(FINAL_REPORTS_MS),
    ]);
    if (!delivered)
      this.log.error(
        { waiting: this.reports.size },
        'control plane unreachable: last reports lost',
      );
    await this.reports.stop();
    this.state.save();
  }

  /**
   * "A dyno manager that restarts cleanly replaces the dynos it ran": the process groups of
   * the previous run (still ours, by their start time) are stopped; its one-off dynos do
   * not run again, and end crashed.
   */
  private async replaceLeftovers(): Promise<void> {
    const { recorded, live } = this.state.previous();
    if (live.length > 0) {
      this.log.info({ groups: live.length }, 'stopping the processes a previous run left');
      await Promise.all(live.map((left) => stopGroup(left.pgid, this.config.stopTimeoutMs)));
    }
    for (const left of recorded.filter((record) => record.oneOff)) {
      this.supervisor.markFinished(left.dynoId, left.appId);
      this.reports.put({
        appId: left.appId,
        dynoId: left.dynoId,
        dynoName: left.name,
        report: { state: 'crashed', generation: left.generation, address: null, error: LOST_ERROR },
      });
    }
    this.state.save();
    await this.workspace.clear();
  }
}
