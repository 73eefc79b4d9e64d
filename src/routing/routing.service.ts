import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Principal } from '../common/auth/principal.js';
import { ForbiddenError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { ViewEntry } from './routing-entry.js';
import { RoutingView } from './routing-view.service.js';
import { canSeeAllApps, isMember } from './routing-visibility.js';
import { WatchHub } from './watch-hub.service.js';

class WebDto {
  @ApiProperty({ example: 2 }) quantity!: number;
  @ApiProperty({ type: String, nullable: true, example: 'Standard-1X' }) size!: string | null;
}

class RoutingSpaceDto {
  @ApiProperty({ example: 'nasa' }) name!: string;
  @ApiProperty({ example: false }) shield!: boolean;
}

class WebDynoDto {
  @ApiProperty({ example: 'web.1' }) name!: string;
  @ApiProperty({ example: '10.0.4.17:5000' }) address!: string;
}

export class RoutingEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
  @ApiProperty({ example: ['myapp.localhost'] }) hosts!: string[];
  @ApiProperty({ example: true }) maintenance!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'https://s3.amazonaws.com/bucket/page.html',
    description: 'Scheme-relative values come as https',
  })
  maintenance_page_url!: string | null;
  @ApiProperty({ type: WebDto }) web!: WebDto;
  @ApiProperty({ type: RoutingSpaceDto, nullable: true }) space!: RoutingSpaceDto | null;
  @ApiProperty({ example: false }) private_space!: boolean;
  @ApiProperty({ type: [WebDynoDto], description: 'Web dynos that are up, with where they listen' })
  web_dynos!: WebDynoDto[];
}

export class RoutingSnapshotDto {
  @ApiProperty({
    example: 42,
    description: 'Change log version the entries are valid at; watch from here',
  })
  version!: number;
  @ApiProperty({ type: [RoutingEntryDto] }) apps!: RoutingEntryDto[];
}

class SchedulerWindowDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['scheduled', 'active'], example: 'scheduled' }) state!: string;
  @ApiProperty({ example: '2026-12-05T02:00:00.000Z' }) starts_at!: string;
  @ApiProperty({ example: '2026-12-05T04:00:00.000Z' }) ends_at!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Upgrading PostgreSQL' })
  reason!: string | null;
  @ApiProperty({ example: true, description: 'Maintenance turns off at ends_at' })
  auto_off!: boolean;
}

export class SchedulerAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
  @ApiProperty({ example: true }) maintenance!: boolean;
  @ApiProperty({
    example: true,
    description:
      "Whether the app's scheduled jobs may run. As on Heroku they run during maintenance, unless the app's policy is " +
      '`pause` (PATCH /apps/{app}/maintenance {"jobs": "pause"}) or it sets DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE=true.',
  })
  jobs_may_run!: boolean;
  @ApiProperty({ example: 'maintenance mode does not stop scheduled jobs' }) reason!: string;
  @ApiProperty({
    enum: ['run', 'pause'],
    example: 'run',
    description: "The app's policy for its jobs during maintenance",
  })
  jobs!: string;
  @ApiProperty({
    type: SchedulerWindowDto,
    nullable: true,
    description: 'The window whose maintenance is on now',
  })
  active_window!: SchedulerWindowDto | null;
  @ApiProperty({
    type: SchedulerWindowDto,
    nullable: true,
    description: 'The next window to start: plan jobs around it',
  })
  next_window!: SchedulerWindowDto | null;
  @ApiProperty({ example: 42 }) version!: number;
}

const SNAPSHOT_CHUNK_BYTES = 64 * 1024;

/** The snapshot's JSON in Buffers of about SNAPSHOT_CHUNK_BYTES. */
function* snapshotChunks(head: string, entries: ViewEntry[], tail: string): Generator<Buffer> {
  let chunk = head;
  for (let i = 0; i < entries.length; i++) {
    chunk += i === 0 ? entries[i].json : `,${entries[i].json}`;
    if (chunk.length >= SNAPSHOT_CHUNK_BYTES) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  yield Buffer.from(chunk + tail);
}

/** Router and scheduler answers, all from the in-memory view. */
@Injectable()
export class RoutingService {
  constructor(
    private readonly view: RoutingView,
    private readonly hub: WatchHub,
  ) {}

  /** The entry's JSON, ready to send. */
  lookup(principal: Principal, nameIdOrHost: string): string {
    return this.find(principal, nameIdOrHost).json;
  }

  /** The snapshot's ETag: the version it is valid at. */
  snapshotTag(): string {
    return `"${this.view.version}"`;
  }

  /**
   * Every entry the principal may see, as a stream of JSON. The entries are taken at once
   * (they are immutable, so this is one version), then written a chunk at a time: 100,000
   * apps are ~27 MB of JSON, which never sits in memory whole.
   */
  snapshot(principal: Principal): { etag: string; length: number; body: Readable } {
    const version = this.view.version;
    const all = canSeeAllApps(principal);
    const entries: ViewEntry[] = [];
    for (const entry of this.view.entries()) {
      if (all || isMember(entry, principal.accountId)) entries.push(entry);
    }
    const head = `{"version":${version},"apps":[`;
    const tail = ']}';
    let length = Buffer.byteLength(head) + tail.length + Math.max(entries.length - 1, 0);
    for (const entry of entries) length += Buffer.byteLength(entry.json);
    return {
      etag: `"${version}"`,
      length,
      body: Readable.from(snapshotChunks(head, entries, tail), { objectMode: false }),
    };
  }

  scheduling(principal: Principal, nameIdOrHost: string): SchedulerAppDto {
    const entry = this.find(principal, nameIdOrHost);
    const paused = entry.maintenance && entry.pauseJobs !== null;
    return {
      id: entry.id,
      name: entry.name,
      maintenance: entry.maintenance,
      jobs_may_run: !paused,
      reason: paused
        ? entry.pauseJobs === 'policy'
          ? 'the app is in maintenance and its jobs policy is pause'
          : 'the app is in maintenance and sets DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE=true'
        : entry.maintenance
          ? 'maintenance mode does not stop scheduled jobs'
          : 'the app is running normally',
      jobs: entry.pauseJobs === 'policy' ? 'pause' : 'run',
      active_window: entry.windows.find((window) => window.state === 'active') ?? null,
      next_window: entry.windows.find((window) => window.state === 'scheduled') ?? null,
      version: this.view.version,
    };
  }

  /** The version a watch starts after: Last-Event-ID or `since`, else now; 410 when it cannot resume. */
  async watchStart(given: string | undefined): Promise<number> {
    if (given === undefined || given === '') return this.view.version;
    if (!/^\d{1,15}$/.test(given.trim())) {
      throw new InvalidParamsError(
        `since / Last-Event-ID must be a version number from a snapshot or an event id; got "${given}".`,
      );
    }
    const since = Number(given.trim());
    await this.hub.checkResumable(since);
    return since;
  }

  /** Streams changes after `since` to the response `open` starts, unless the token has all its streams open. */
  watch(principal: Principal, since: number, open: () => ServerResponse): Promise<void> {
    return this.hub.attach(principal, since, open);
  }

  private find(principal: Principal, nameIdOrHost: string): ViewEntry {
    const found = this.view.lookup(nameIdOrHost);
    if (!found) throw new NotFoundError("Couldn't find that app.");
    if (!canSeeAllApps(principal) && !isMember(found, principal.accountId)) {
      throw new ForbiddenError(`You do not have access to the app ${found.name}.`);
    }
    return found;
  }
}
