import { Pause } from '../common/http-client/pause.js';
import { Backoff } from '../common/http-client/backoff.js';
import { describeError } from '../common/http-client/describe-error.js';
import { readEventStream } from '../common/http-client/event-stream-reader.js';
import { LogFields } from './router-log.js';
import {
  AppRoute,
  parseChange,
  parseRoutingEntry,
  RoutingProtocolError,
  RoutingTable,
} from './routing-table.js';
import { SnapshotReader } from './snapshot-reader.js';

export interface ControlPlaneClientOptions {
  /** Without a trailing slash. */
  baseUrl: string;
  token: string;
  table: RoutingTable;
  log: (at: 'info' | 'error', fields: LogFields) => void;
  /** Told about every route a snapshot or change (re)defined, e.g. to warm its maintenance page. */
  onRoutes?: (routes: readonly AppRoute[]) => void;
  backoff?: Backoff;
  snapshotTimeoutMs?: number;
  /** The control plane sends a heartbeat every ~15 s: a silent stream for longer is dead. */
  idleTimeoutMs?: number;
}

type WatchOutcome = 'ended' | 'gone';

/**
 * Keeps the routing table in step with the control plane, as a Kubernetes informer does:
 * list (the snapshot at version V), then watch the changes after V as Server-Sent Events.
 * It is fail-static: while the control plane is unreachable the table keeps its last state;
 * the watch reconnects with backoff from the last version applied (`Last-Event-ID`), and a
 * 410 (that version is no longer retained) or an unreadable change means a fresh re-list.
 */
export class ControlPlaneClient {
  private readonly backoff: Backoff;
  private readonly snapshotTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private stopped = false;
  private inFlight?: AbortController;
  private readonly pause = new Pause();
  private watching?: Promise<void>;

  constructor(private readonly options: ControlPlaneClientOptions) {
    this.backoff = options.backoff ?? new Backoff();
    this.snapshotTimeoutMs = options.snapshotTimeoutMs ?? 30_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  }

  /** Resolves once the first snapshot is in the table (false if stopped first); then watches. */
  async start(): Promise<boolean> {
    if (!(await this.listUntilDone('snapshot'))) return false;
    this.watching = this.watchLoop();
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.inFlight?.abort();
    this.pause.interrupt();
    await this.watching;
  }

  private async listUntilDone(state: 'snapshot' | 'resynced'): Promise<boolean> {
    while (!this.stopped) {
      try {
        const routes = await this.list();
        this.backoff.reset();
        const table = this.options.table;
        this.options.log('info', { state, version: table.version, apps: table.size });
        if (routes.length > 0) this.options.onRoutes?.(routes);
        return true;
      } catch (error) {
        if (this.stopped) break;
        const delay = this.backoff.next();
        this.options.log('error', {
          state: 'snapshot-failed',
          error: describeError(error),
          retry_in: `${delay}ms`,
        });
        await this.pause.for(delay);
      }
    }
    return false;
  }

  /** Takes the snapshot; answers [] when the table is already at its version (304). */
  private async list(): Promise<AppRoute[]> {
    const table = this.options.table;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.token}`,
      Accept: 'application/json',
    };
    if (table.loaded) headers['If-None-Match'] = `"${table.version}"`;
    const controller = this.begin();
    const timeout = setTimeout(() => controller.abort(), this.snapshotTimeoutMs);
    try {
      const response = await fetch(`${this.options.baseUrl}/routing/v1/snapshot`, {
        headers,
        signal: controller.signal,
      });
      if (response.status === 304 && table.loaded) {
        await response.body?.cancel();
        return [];
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`snapshot answered ${response.status}${hint(response.status)}`);
      }
      // Entry by entry as the body arrives: see SnapshotReader.
      const routes: AppRoute[] = [];
      const reader = new SnapshotReader((value) =>
        routes.push(table.route(parseRoutingEntry(value))),
      );
      if (response.body) for await (const chunk of response.body) reader.write(chunk);
      return table.replaceRoutes(reader.end(), routes);
    } finally {
      clearTimeout(timeout);
    }
  }

  private async watchLoop(): Promise<void> {
    while (!this.stopped) {
      let reason: string;
      try {
        const outcome = await this.watch();
        if (this.stopped) return;
        if (outcome === 'gone') {
          this.options.log('info', { state: 'resync', reason: 'version no longer retained (410)' });
          if (!(await this.listUntilDone('resynced'))) return;
          continue;
        }
        reason = 'stream ended';
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof RoutingProtocolError) {
          this.options.log('error', { state: 'resync', reason: error.message });
          if (!(await this.listUntilDone('resynced'))) return;
          continue;
        }
        reason = describeError(error);
      }
      const delay = this.backoff.next();
      this.options.log('error', {
        state: 'disconnected',
        version: this.options.table.version,
        error: reason,
        retry_in: `${delay}ms`,
      });
      await this.pause.for(delay);
    }
  }

  /** One watch connection, from the table's version until the stream ends. */
  private async watch(): Promise<WatchOutcome> {
    const table = this.options.table;
    const since = table.version;
    const controller = this.begin();
    const response = await fetch(`${this.options.baseUrl}/routing/v1/watch?since=${since}`, {
      headers: {
        Authorization: `Bearer ${this.options.token}`,
        Accept: 'text/event-stream',
        'Last-Event-ID': String(since),
        'Cache-Control': 'no-cache',
        // A compressing proxy or server could hold events back to fill its buffers.
        'Accept-Encoding': 'identity',
      },
      signal: controller.signal,
    });
    if (response.status === 410) {
      await response.body?.cancel();
      return 'gone';
    }
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`watch answered ${response.status}${hint(response.status)}`);
    }
    this.backoff.reset();
    this.options.log('info', { state: 'connected', since });

    await readEventStream(response.body, controller, this.idleTimeoutMs, (event) => {
      if (event.event !== 'change') return;
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        throw new RoutingProtocolError(`change ${event.id ?? '?'} is not JSON`);
      }
      const route = table.apply(parseChange(data));
      if (route) this.options.onRoutes?.([route]);
    });
    return 'ended';
  }

  private begin(): AbortController {
    const controller = new AbortController();
    this.inFlight = controller;
    return controller;
  }
}

function hint(status: number): string {
  if (status === 401) return ' (check ROUTER_TOKEN)';
  if (status === 403) return ' (the token lacks the routing scope)';
  return '';
}
