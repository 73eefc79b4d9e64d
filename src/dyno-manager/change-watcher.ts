import { Pause } from '../common/http-client/pause.js';
import { Backoff } from '../common/http-client/backoff.js';
import { describeError } from '../common/http-client/describe-error.js';
import { JsonClient } from '../common/http-client/json-client.js';
import { readEventStream } from '../common/http-client/event-stream-reader.js';
import { API } from './control-plane-api.js';

export type WatchLog = (at: 'info' | 'error', message: string, fields: object) => void;

export interface ChangeWatcherOptions {
  client: JsonClient;
  /** A change of an app that can change what runs: re-list that app. */
  onChange: (appId: string) => void;
  /** Lists everything again; resolves with the version the listing was read at. */
  relistAll: () => Promise<number>;
  log: WatchLog;
  backoff?: Backoff;
  /** The control plane sends a heartbeat every ~15 s: a silent stream for longer is dead. */
  idleTimeoutMs?: number;
}

/** The change actions after which what runs may differ (see docs/dyno-manager-api.md). */
export function changesWhatRuns(action: string): boolean {
  return (
    action.startsWith('dyno.') ||
    action.startsWith('formation.') ||
    action === 'release.create' ||
    action === 'app.create' ||
    action === 'app.destroy' ||
    action === 'app.rename'
  );
}

/**
 * Follows the control plane's change stream from a listing's version: every relevant
 * change re-lists its app. A 410 (the version is no longer retained) or a reconnection
 * after a failure lists everything again, since changes may have been missed.
 */
export class ChangeWatcher {
  private readonly backoff: Backoff;
  private readonly idleTimeoutMs: number;
  private version = 0;
  private stopped = false;
  private controller?: AbortController;
  private readonly pause = new Pause();
  private running?: Promise<void>;

  constructor(private readonly options: ChangeWatcherOptions) {
    this.backoff = options.backoff ?? new Backoff();
    this.idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  }

  start(version: number): void {
    this.version = version;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.pause.interrupt();
    await this.running;
  }

  private async loop(): Promise<void> {
    let missed = false;
    while (!this.stopped) {
      try {
        if (missed) {
          this.version = Math.max(this.version, await this.options.relistAll());
          missed = false;
        }
        const outcome = await this.watch();
        if (this.stopped) return;
        if (outcome === 'gone') {
          this.options.log('info', 'change stream version no longer retained: listing again', {
            version: this.version,
          });
          this.version = await this.options.relistAll();
          continue;
        }
        missed = true;
        this.retryLater('change stream ended', undefined);
      } catch (error) {
        // Stopping ends a listing or a stream in flight: nothing to retry.
        if (this.stopped) return;
        missed = true;
        this.retryLater('change stream failed', error);
      }
      await this.pause.for(this.nextDelay);
    }
  }

  private nextDelay = 0;

  private retryLater(message: string, error: unknown): void {
    this.nextDelay = this.backoff.next();
    this.options.log('error', message, {
      version: this.version,
      ...(error !== undefined && { error: describeError(error) }),
      retry_in_ms: this.nextDelay,
    });
  }

  private async watch(): Promise<'ended' | 'gone'> {
    const since = this.version;
    const controller = new AbortController();
    this.controller = controller;
    const response = await this.options.client.fetch(
      `${API}/watch?since=${since}`,
      {
        headers: {
          Accept: 'text/event-stream',
          'Last-Event-ID': String(since),
          'Cache-Control': 'no-cache',
          // A compressing proxy or server could hold events back to fill its buffers.
          'Accept-Encoding': 'identity',
        },
        signal: controller.signal,
      },
      null,
    );
    if (response.status === 410) {
      await response.body?.cancel();
      return 'gone';
    }
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`watch answered ${response.status}`);
    }
    this.backoff.reset();
    this.options.log('info', 'following changes', { since });

    await readEventStream(response.body, controller, this.idleTimeoutMs, (event) => {
      if (event.event !== 'change') return;
      let change: { version?: unknown; action?: unknown; app_id?: unknown };
      try {
        change = JSON.parse(event.data) as typeof change;
      } catch {
        return;
      }
      const version = Number(change.version ?? event.id);
      if (Number.isInteger(version) && version > this.version) this.version = version;
      if (typeof change.action === 'string' && typeof change.app_id === 'string') {
        if (changesWhatRuns(change.action)) this.options.onChange(change.app_id);
      }
    });
    return 'ended';
  }
}
