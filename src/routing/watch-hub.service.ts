import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Principal } from '../common/auth/principal.js';
import { GoneError, RateLimitError } from '../common/errors/api-errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { ChangeEvent, ChangePayload } from '../events/change-event.js';
import { EventRepository } from '../events/event.repository.js';
import { ChangeFeed } from '../events/change-feed.service.js';
import { RoutingView } from './routing-view.service.js';
import type { AppMembers } from './routing-entry.js';
import { canSeeAllApps, isMember } from './routing-visibility.js';

/** A watcher whose socket holds this much unsent data is cut off; it resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Watcher {
  response: ServerResponse;
  /** The token it was opened with: revoking it ends the stream. */
  tokenId: string;
  /** Routers, schedulers and admins see every app; anyone else those they own or collaborate on. */
  seesAll: boolean;
  accountId: string;
  /** The newest version sent, or skipped as invisible to this watcher. */
  cursor: number;
  /** Live events that arrived while the backlog was being replayed. */
  pending: Outgoing[] | null;
}

/** An event as every watcher gets it: its SSE message is written once, not once per watcher. */
interface Outgoing {
  version: number;
  /** Whose app it is: who besides the all-seeing may receive it. */
  members: AppMembers | undefined;
  /** An account that just lost access (collaborator.destroy): it still hears of that. */
  leaving: string | undefined;
  message: string;
}

/** Who had a deleted app, as its app.destroy says (collaborator_ids since collaborators). */
function formerMembers(data: ChangePayload<'app.destroy'>): AppMembers {
  return { ownerId: data.owner_id, collaboratorIds: new Set(data.collaborator_ids ?? []) };
}

/**
 * Server-Sent Events for routers and schedulers: every change after a version, in order,
 * each exactly once, with the app's routing entry as of now. A client resumes with
 * Last-Event-ID; one asking for a version the log no longer holds gets 410 and re-lists.
 * A token holds at most WATCH_STREAMS_PER_TOKEN streams, and revoking it ends them.
 */
@Injectable()
export class WatchHub implements OnModuleDestroy {
  private readonly logger = new Logger(WatchHub.name);
  private readonly watchers = new Set<Watcher>();
  private readonly byToken = new Map<string, Set<Watcher>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly streamsPerToken: number;

  constructor(
    private readonly events: EventRepository,
    private readonly feed: ChangeFeed,
    private readonly view: RoutingView,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.streamsPerToken = config.watchStreamsPerToken;
    feed.subscribe((events) => this.broadcast(events));
    this.heartbeat = setInterval(() => this.beat(), config.watchHeartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /**
   * Checks the starting version; throws 410 before anything is streamed when the log no
   * longer reaches back to it (or never had it).
   */
  async checkResumable(since: number): Promise<void> {
    await this.feed.caughtUp();
    const { oldest, newest: head } = await this.events.bounds();
    const firstRetained = oldest === null ? head + 1 : oldest;
    if (since > head) {
      throw new GoneError(
        `Version ${since} is newer than the change log (at ${head}); take a new snapshot.`,
      );
    }
    if (since < firstRetained - 1) {
      throw new GoneError(
        `Version ${since} is too old: the change log now starts at ${firstRetained}. Take a new snapshot (GET /routing/v1/snapshot) and watch from its version.`,
      );
    }
  }

  /**
   * Streams from `since` on, replaying the backlog first, to the response `open` starts
   * once the stream is accepted: a token with all its streams open gets 429 before it.
   */
  async attach(principal: Principal, since: number, open: () => ServerResponse): Promise<void> {
    const streams = this.byToken.get(principal.tokenId);
    if (streams && streams.size >= this.streamsPerToken) {
      throw new RateLimitError(
        `This token already has ${this.streamsPerToken} watch streams open; close one, or give each client its own token.`,
      );
    }
    const response = open();
    const watcher: Watcher = {
      response,
      tokenId: principal.tokenId,
      seesAll: canSeeAllApps(principal),
      accountId: principal.accountId,
      cursor: since,
      pending: [],
    };
    this.add(watcher);
    response.on('close', () => this.remove(watcher));
    response.write('retry: 1000\n\n');

    let backlog: ChangeEvent[];
    try {
      backlog = await this.events.between(since, this.feed.version);
    } catch (error) {
      // Without its backlog the stream would skip changes: end it, the client resumes from its last id.
      this.logger.warn(`watch stream ended: its backlog could not be read: ${error}`);
      this.remove(watcher);
      response.end();
      return;
    }
    this.send(watcher, this.outgoing(backlog));
    const pending = watcher.pending ?? [];
    watcher.pending = null;
    this.send(watcher, pending);
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
    this.byToken.clear();
  }

  private add(watcher: Watcher): void {
    this.watchers.add(watcher);
    const streams = this.byToken.get(watcher.tokenId);
    if (streams) streams.add(watcher);
    else this.byToken.set(watcher.tokenId, new Set([watcher]));
  }

  private remove(watcher: Watcher): void {
    this.watchers.delete(watcher);
    const streams = this.byToken.get(watcher.tokenId);
    if (streams?.delete(watcher) && streams.size === 0) this.byToken.delete(watcher.tokenId);
  }

  private broadcast(events: ChangeEvent[]): void {
    if (this.watchers.size === 0) return;
    for (const event of events) {
      if (event.action === 'token.revoke' || event.action === 'token.rotate') {
        this.endStreamsOf(event.data.token_id);
      }
    }
    const outgoing = this.outgoing(events);
    for (const watcher of this.watchers) {
      if (watcher.pending) watcher.pending.push(...outgoing);
      else this.send(watcher, outgoing);
    }
  }

  /** A revoked or rotated token's streams end; its client's reconnect with the old secret gets 401. */
  private endStreamsOf(tokenId: string): void {
    for (const watcher of this.byToken.get(tokenId) ?? []) {
      this.remove(watcher);
      watcher.response.end();
    }
  }

  private send(watcher: Watcher, outgoing: Outgoing[]): void {
    let chunk = '';
    for (const event of outgoing) {
      if (event.version <= watcher.cursor) continue;
      watcher.cursor = event.version;
      if (
        watcher.seesAll ||
        (event.members !== undefined && isMember(event.members, watcher.accountId)) ||
        event.leaving === watcher.accountId
      ) {
        chunk += event.message;
      }
    }
    if (!chunk) return;
    watcher.response.write(chunk);
    if (watcher.response.writableLength > MAX_BUFFERED_BYTES) watcher.response.end();
  }

  /** The SSE message of each app event, with the app's routing entry as of now. */
  private outgoing(events: ChangeEvent[]): Outgoing[] {
    const outgoing: Outgoing[] = [];
    for (const event of events) {
      if (!event.appId) continue;
      const current = this.view.lookup(event.appId);
      const head = JSON.stringify({
        version: event.version,
        action: event.action,
        app_id: event.appId,
        app_name: event.appName,
      });
      outgoing.push({
        version: event.version,
        members:
          current ?? (event.action === 'app.destroy' ? formerMembers(event.data) : undefined),
        leaving: event.action === 'collaborator.destroy' ? event.data.account_id : undefined,
        message: `id: ${event.version}\nevent: change\ndata: ${head.slice(0, -1)},"routing":${current ? current.json : 'null'}}\n\n`,
      });
    }
    return outgoing;
  }

  private beat(): void {
    for (const watcher of this.watchers) watcher.response.write(': heartbeat\n\n');
  }
}
