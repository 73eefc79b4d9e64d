import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SecretBox } from '../common/crypto/secret-box.js';
import { SealedValueDamagedError, UnreadableSecretError } from '../common/errors/api-errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { ChangeEvent } from '../events/change-event.js';
import { ChangeApplier, ChangeFeed } from '../events/change-feed.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { RoutingEntry } from '../common/routing/routing-entry.js';
import {
  appNameIn,
  flatJson,
  NO_COLLABORATORS,
  hostFromHeader,
  normalizePageUrl,
  PlannedWindow,
  ViewEntry,
} from './routing-entry.js';

const NO_WINDOWS: readonly PlannedWindow[] = [];
const NO_HOSTS: readonly string[] = [];

interface WindowRow {
  app_id: string;
  id: string;
  state: 'scheduled' | 'active';
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
  auto_off: boolean;
}

const LOAD_BATCH = 5000;

function withMaintenance(
  current: ViewEntry,
  maintenance: boolean,
  endsAt: string | null,
): ViewEntry {
  const entry = JSON.parse(current.json) as RoutingEntry;
  entry.maintenance = maintenance;
  entry.maintenance_ends_at = maintenance ? endsAt : null;
  return { ...current, maintenance, json: flatJson(entry) };
}

/** `column` in (after, upTo], or above `after` when upTo is null. */
function idRange(column: string, after: string, upTo: string | null): Prisma.Sql {
  const above = Prisma.sql`${Prisma.raw(column)} > ${after}::uuid`;
  return upTo === null ? above : Prisma.sql`${above} AND ${Prisma.raw(column)} <= ${upTo}::uuid`;
}

/** Set to "true" on an app to tell schedulers to hold its jobs while it is in maintenance. */
export const PAUSE_JOBS_VAR = 'DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE';
const PAGE_URL_VAR = 'MAINTENANCE_PAGE_URL';

interface AppRow {
  id: string;
  name: string;
  owner_id: string;
  maintenance: boolean;
  maintenance_ends_at: Date | null;
  maintenance_jobs: string;
  space_name: string | null;
  space_shield: boolean | null;
  web_quantity: number | null;
  web_size: string | null;
  page_url: string | null;
  pause_jobs: string | null;
}

/**
 * Every app's routing entry in memory, kept current by the change feed (which
 * hears commits from every replica through PostgreSQL NOTIFY). Lookups and snapshots are
 * served from here without touching the database.
 */
@Injectable()
export class RoutingView implements ChangeApplier, OnApplicationBootstrap {
  private readonly byId = new Map<string, ViewEntry>();
  private readonly byName = new Map<string, ViewEntry>();
  /** Account ids, one string each however many apps they own or collaborate on. */
  private readonly accounts = new Map<string, string>();
  /** By custom domain; default hosts are found through their app's name. */
  private readonly byHost = new Map<string, ViewEntry>();
  private readonly logger = new Logger(RoutingView.name);
  /** `<app id> <var>` of the secrets already warned about: one line each, not one per reload. */
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly feed: ChangeFeed,
    private readonly prisma: PrismaService,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    feed.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.feed.start();
  }

  get version(): number {
    return this.feed.version;
  }

  /**
   * By app name, id, or host name: `<app>.<APPS_DOMAIN>` or a custom domain (exact names
   * first: the common case).
   */
  lookup(nameIdOrHost: string): ViewEntry | undefined {
    const exact = this.byName.get(nameIdOrHost) ?? this.byId.get(nameIdOrHost.toLowerCase());
    if (exact) return exact;
    const host = hostFromHeader(nameIdOrHost);
    return this.byHost.get(host) ?? this.byName.get(appNameIn(host, this.config.appsDomain));
  }

  entries(): IterableIterator<ViewEntry> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * Loads every app, a batch at a time in id order, so that booting with 100,000 apps never
   * holds all their rows at once. Batches are bounded by id range, not by id lists: the
   * Prisma adapter keeps the arguments of its last queries in memory, and 100,000 ids there
   * would outlive the boot.
   */
  async load(tx: PrismaTransaction): Promise<void> {
    this.byId.clear();
    this.byName.clear();
    this.accounts.clear();
    this.byHost.clear();
    let after: string | null = '00000000-0000-0000-0000-000000000000';
    while (after !== null) {
      // The batch's last id; none when fewer than a batch remain, and this batch is the rest.
      const edge: { id: string }[] = await tx.$queryRaw`
        SELECT id FROM apps WHERE id > ${after}::uuid ORDER BY id OFFSET ${LOAD_BATCH - 1} LIMIT 1`;
      const upTo = edge[0]?.id ?? null;
      const from: string = after;
      const entries = await this.read(tx, idRange('a.id', from, upTo), (column) =>
        idRange(column, from, upTo),
      );
      for (const entry of entries) this.put(entry);
      after = upTo;
    }
  }

  /**
   * A maintenance switch carries its new value and is applied from the event itself (the
   * busiest change, and the one routers wait for); anything else re-reads its apps.
   */
  async apply(events: ChangeEvent[]): Promise<void> {
    const reload = new Set<string>();
    for (const event of events) {
      if (!event.appId) continue;
      const current = this.byId.get(event.appId);
      if (current && event.action === 'maintenance.enable') {
        // Events from before windows carry no ends_at.
        this.put(withMaintenance(current, true, event.data.ends_at ?? null));
      } else if (current && event.action === 'maintenance.disable') {
        this.put(withMaintenance(current, false, null));
      } else {
        reload.add(event.appId);
      }
    }
    // Re-read after the in-memory switches: what the database says now is newer than any of them.
    if (reload.size) {
      await this.prisma.$transaction((tx) => this.reload(tx, [...reload]), {
        isolationLevel: 'RepeatableRead',
      });
    }
  }

  /** Re-reads the given apps; apps no longer in the database leave the view. */
  private async reload(tx: PrismaTransaction, appIds: string[]): Promise<void> {
    const entries = await this.read(
      tx,
      Prisma.sql`a.id = ANY(${appIds}::uuid[])`,
      (column) => Prisma.sql`${Prisma.raw(column)} = ANY(${appIds}::uuid[])`,
    );
    // Only now: lookups keep answering from the old entries while the read is in flight.
    for (const id of appIds) this.remove(id);
    for (const entry of entries) this.put(entry);
  }

  /**
   * The entries of the apps matching `apps` (on `a`), with their web dynos, open windows
   * and collaborators (`byApp`, on an `app_id`).
   */
  private async read(
    tx: PrismaTransaction,
    apps: Prisma.Sql,
    byApp: (column: string) => Prisma.Sql,
  ): Promise<ViewEntry[]> {
    // One after the other: a transaction is one connection.
    const appRows = await tx.$queryRaw<AppRow[]>`
        SELECT a.id, a.name, a.owner_id, a.maintenance, a.maintenance_ends_at, a.maintenance_jobs,
               s.name AS space_name, s.shield AS space_shield,
               f.quantity AS web_quantity, f.size AS web_size,
               page.value AS page_url, pause.value AS pause_jobs
        FROM apps a
        LEFT JOIN spaces s ON s.id = a.space_id
        LEFT JOIN formations f ON f.app_id = a.id AND f.type = 'web'
        LEFT JOIN config_vars page ON page.app_id = a.id AND page.key = ${PAGE_URL_VAR}
        LEFT JOIN config_vars pause ON pause.app_id = a.id AND pause.key = ${PAUSE_JOBS_VAR}
        WHERE ${apps}`;
    const dynoRows = await tx.$queryRaw<{ app_id: string; name: string; address: string }[]>`
        SELECT d.app_id, d.name, d.address FROM dynos d
        WHERE d.type = 'web' AND d.state = 'up' AND d.address IS NOT NULL AND ${byApp('d.app_id')}
        ORDER BY d.app_id, d.name`;
    const windowRows = await tx.$queryRaw<WindowRow[]>`
        SELECT w.app_id, w.id, w.state, w.starts_at, w.ends_at, w.reason, w.auto_off
        FROM maintenance_windows w
        WHERE w.state IN ('scheduled', 'active') AND ${byApp('w.app_id')}
        ORDER BY w.app_id, w.starts_at`;
    const collaboratorRows = await tx.$queryRaw<{ app_id: string; account_id: string }[]>`
        SELECT c.app_id, c.account_id FROM collaborators c WHERE ${byApp('c.app_id')}`;
    const collaboratorsByApp = new Map<string, Set<string>>();
    for (const row of collaboratorRows) {
      const ids = collaboratorsByApp.get(row.app_id) ?? new Set<string>();
      ids.add(this.account(row.account_id));
      collaboratorsByApp.set(row.app_id, ids);
    }
    const domainRows = await tx.$queryRaw<{ app_id: string; hostname: string }[]>`
        SELECT d.app_id, d.hostname FROM domains d WHERE ${byApp('d.app_id')}
        ORDER BY d.app_id, d.hostname`;
    const hostsByApp = new Map<string, string[]>();
    for (const row of domainRows) {
      const list = hostsByApp.get(row.app_id) ?? [];
      list.push(row.hostname);
      hostsByApp.set(row.app_id, list);
    }
    const windowsByApp = new Map<string, PlannedWindow[]>();
    for (const row of windowRows) {
      const list = windowsByApp.get(row.app_id) ?? [];
      list.push({
        id: row.id,
        state: row.state,
        starts_at: row.starts_at.toISOString(),
        ends_at: row.ends_at.toISOString(),
        reason: row.reason,
        auto_off: row.auto_off,
      });
      windowsByApp.set(row.app_id, list);
    }

    const dynosByApp = new Map<string, { name: string; address: string }[]>();
    for (const dyno of dynoRows) {
      const list = dynosByApp.get(dyno.app_id) ?? [];
      list.push({ name: dyno.name, address: dyno.address });
      dynosByApp.set(dyno.app_id, list);
    }
    return appRows.map((row) =>
      this.toViewEntry(
        row,
        dynosByApp.get(row.id) ?? [],
        windowsByApp.get(row.id) ?? NO_WINDOWS,
        collaboratorsByApp.get(row.id) ?? NO_COLLABORATORS,
        hostsByApp.get(row.id) ?? NO_HOSTS,
      ),
    );
  }

  private toViewEntry(
    row: AppRow,
    webDynos: { name: string; address: string }[],
    windows: readonly PlannedWindow[],
    collaboratorIds: ReadonlySet<string>,
    customHosts: readonly string[],
  ): ViewEntry {
    const space = row.space_name
      ? { name: row.space_name, shield: Boolean(row.space_shield) }
      : null;
    const entry: RoutingEntry = {
      id: row.id,
      name: row.name,
      hosts: [`${row.name}.${this.config.appsDomain}`, ...customHosts],
      maintenance: row.maintenance,
      maintenance_ends_at: row.maintenance
        ? (row.maintenance_ends_at?.toISOString() ?? null)
        : null,
      maintenance_page_url: normalizePageUrl(this.open(row, PAGE_URL_VAR, row.page_url)),
      web: { quantity: row.web_quantity ?? 0, size: row.web_size },
      space,
      private_space: space !== null,
      web_dynos: webDynos,
    };
    return {
      id: row.id,
      name: row.name,
      maintenance: row.maintenance,
      ownerId: this.account(row.owner_id),
      collaboratorIds,
      pauseJobs:
        row.maintenance_jobs === 'pause'
          ? 'policy'
          : // Set but unreadable: hold the jobs, which is what the var is set for.
            row.pause_jobs !== null &&
              (this.open(row, PAUSE_JOBS_VAR, row.pause_jobs) ?? 'true').toLowerCase() === 'true'
            ? 'config_var'
            : null,
      windows,
      customHosts,
      json: flatJson(entry),
    };
  }

  /**
   * A config var the view needs, decrypted; null when this replica cannot open it (said
   * once per app and var), so a value sealed with a missing key never stops the view.
   */
  private open(row: AppRow, name: string, sealed: string | null): string | null {
    if (sealed === null) return null;
    try {
      return this.secrets.decrypt(sealed);
    } catch (error) {
      if (!(error instanceof UnreadableSecretError)) throw error;
      const seen = `${row.id} ${name}`;
      if (!this.unreadable.has(seen)) {
        this.unreadable.add(seen);
        const key = error.keyId ? `encryption key ${error.keyId}` : 'a key from before key ids';
        const why =
          error instanceof SealedValueDamagedError
            ? `fails authentication under ${key}`
            : `is sealed with ${key}, which this replica does not have`;
        const effect =
          name === PAGE_URL_VAR
            ? 'routers serve their own page'
            : 'its jobs are held in maintenance';
        this.logger.warn(`app ${row.name}: ${name} cannot be read, ${effect}: its value ${why}`);
      }
      return null;
    }
  }

  /** One string per account, shared by all their apps' entries, not one copy per row. */
  private account(id: string): string {
    const known = this.accounts.get(id);
    if (known !== undefined) return known;
    this.accounts.set(id, id);
    return id;
  }

  private put(viewEntry: ViewEntry): void {
    this.byId.set(viewEntry.id, viewEntry);
    this.byName.set(viewEntry.name, viewEntry);
    for (const host of viewEntry.customHosts) this.byHost.set(host, viewEntry);
  }

  private remove(id: string): void {
    const existing = this.byId.get(id);
    if (!existing) return;
    this.byId.delete(id);
    if (this.byName.get(existing.name) === existing) this.byName.delete(existing.name);
    for (const host of existing.customHosts) {
      // A domain removed from one app and added to another in one batch: keep the new claim.
      if (this.byHost.get(host) === existing) this.byHost.delete(host);
    }
  }
}
