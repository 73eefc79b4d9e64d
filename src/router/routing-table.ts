import type { RoutingEntry } from '../common/routing/routing-entry.js';

// The wire contract is the control plane's own type; the router shares nothing else with it.
export type { RoutingEntry };

/** One event of the watch stream; `routing: null` means the app is gone. */
export interface RoutingChange {
  version: number;
  action?: string;
  app_id: string | null;
  app_name?: string | null;
  /** Absent on events that change nothing a router cares about. */
  routing?: RoutingEntry | null;
}

export class RoutingProtocolError extends Error {}

/** What the router does with a request for an app, decided once per table change. */
export type RouteMode = 'maintenance' | 'no-web-dynos' | 'proxy';

export interface WebDyno {
  name: string;
  host: string;
  port: number;
  /** `http://host:port`, what the upstream pool is keyed by. */
  origin: string;
}

/** An app prepared for the hot path: its decision and upstreams computed ahead of requests. */
export class AppRoute {
  readonly id: string;
  readonly name: string;
  readonly hosts: readonly string[];
  readonly mode: RouteMode;
  readonly maintenancePageUrl: string | null;
  /** When maintenance is planned to end (epoch ms), for Retry-After; null: not planned. */
  readonly maintenanceEndsAt: number | null;
  readonly dynos: readonly WebDyno[];
  private cursor = 0;

  constructor(entry: RoutingEntry, appsDomain: string) {
    this.id = entry.id;
    this.name = entry.name;
    const hosts = new Set(entry.hosts.map(normaliseHost).filter((host) => host !== ''));
    hosts.add(`${entry.name.toLowerCase()}.${appsDomain}`);
    this.hosts = [...hosts];
    this.maintenancePageUrl = entry.maintenance_page_url || null;
    this.maintenanceEndsAt = entry.maintenance_ends_at
      ? Date.parse(entry.maintenance_ends_at)
      : null;
    this.dynos = entry.web_dynos.flatMap((dyno) => {
      const address = parseAddress(dyno.address);
      if (!address) return [];
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      return [{ name: dyno.name, ...address, origin: `http://${host}:${address.port}` }];
    });
    this.mode = routeMode(entry, this.dynos.length);
  }

  /** Round-robin over the web dynos that are up. */
  nextDyno(): WebDyno {
    const dyno = this.dynos[this.cursor % this.dynos.length];
    this.cursor = (this.cursor + 1) % this.dynos.length;
    return dyno;
  }
}

/**
 * Heroku's rule, including its caveat: in a Private Space the routing proxy runs on the web
 * dynos, so with web=0 there is nothing to serve the maintenance page and visitors get H14.
 */
export function routeMode(entry: RoutingEntry, dynosUp: number): RouteMode {
  const privateSpace = entry.space !== null || entry.private_space;
  if (privateSpace && entry.web.quantity === 0) return 'no-web-dynos';
  if (entry.maintenance) return 'maintenance';
  if (entry.web.quantity === 0 || dynosUp === 0) return 'no-web-dynos';
  return 'proxy';
}

/**
 * Every known app by host name and by id. Changes replace an app's whole route, so a request
 * always sees one consistent version of it.
 */
export class RoutingTable {
  private byHost = new Map<string, AppRoute>();
  private byId = new Map<string, AppRoute>();
  /** The control plane's version this table reflects; 0 before the first snapshot. */
  version = 0;
  loaded = false;

  constructor(private readonly appsDomain: string) {}

  get size(): number {
    return this.byId.size;
  }

  lookup(host: string): AppRoute | undefined {
    return this.byHost.get(host);
  }

  get(appId: string): AppRoute | undefined {
    return this.byId.get(appId);
  }

  routes(): IterableIterator<AppRoute> {
    return this.byId.values();
  }

  /** The hot-path form of an entry, ready for replaceRoutes. */
  route(entry: RoutingEntry): AppRoute {
    return new AppRoute(entry, this.appsDomain);
  }

  /** Replaces everything at once (a re-list), so requests never see half a snapshot. */
  replaceRoutes(version: number, routes: AppRoute[]): AppRoute[] {
    const byHost = new Map<string, AppRoute>();
    const byId = new Map<string, AppRoute>();
    for (const route of routes) {
      byId.set(route.id, route);
      for (const host of route.hosts) byHost.set(host, route);
    }
    this.byHost = byHost;
    this.byId = byId;
    this.version = version;
    this.loaded = true;
    return [...byId.values()];
  }

  /**
   * Applies one change in order. Returns the new route (upsert), null (deleted or nothing to
   * do), or undefined when the change is not newer than the table (a replay after resuming).
   */
  apply(change: RoutingChange): AppRoute | null | undefined {
    if (change.version <= this.version) return undefined;
    this.version = change.version;
    if (change.routing === undefined) return null;
    if (change.routing === null) {
      if (change.app_id) this.remove(change.app_id);
      return null;
    }
    const route = this.route(change.routing);
    this.remove(route.id);
    if (change.app_id && change.app_id !== route.id) this.remove(change.app_id);
    this.byId.set(route.id, route);
    for (const host of route.hosts) this.byHost.set(host, route);
    return route;
  }

  private remove(appId: string): void {
    const old = this.byId.get(appId);
    if (!old) return;
    this.byId.delete(appId);
    for (const host of old.hosts) {
      // Another app may have taken the host meanwhile (a rename then a create): keep its claim.
      if (this.byHost.get(host) === old) this.byHost.delete(host);
    }
  }
}

/**
 * The table key for a Host header: lower case, without the port and a trailing dot.
 * Written without regular expressions because it runs on every request.
 */
export function hostKey(header: string | undefined): string {
  if (!header) return '';
  let end = header.length;
  if (header.charCodeAt(0) === 91 /* [ */) {
    const close = header.indexOf(']');
    if (close !== -1) end = close + 1;
  } else {
    const colon = header.indexOf(':');
    if (colon !== -1) end = colon;
  }
  if (end > 0 && header.charCodeAt(end - 1) === 46 /* . */) end--;
  return (end === header.length ? header : header.slice(0, end)).toLowerCase();
}

function normaliseHost(host: string): string {
  return hostKey(typeof host === 'string' ? host.trim() : '');
}

/** `host:port` or `[v6]:port`; null for anything else, so a bad address is never dialled. */
export function parseAddress(address: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(address);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2], port };
}

/** Checks the parts of an entry the router relies on; the control plane is trusted, not blindly. */
export function parseRoutingEntry(value: unknown): RoutingEntry {
  if (!isObject(value) || typeof value.id !== 'string' || typeof value.name !== 'string') {
    throw new RoutingProtocolError('a routing entry needs a string id and name');
  }
  const web = isObject(value.web) ? value.web : {};
  const space = isObject(value.space) ? value.space : null;
  return {
    id: value.id,
    name: value.name,
    hosts: Array.isArray(value.hosts) ? value.hosts.filter((h) => typeof h === 'string') : [],
    maintenance: value.maintenance === true,
    // Older control planes send none; a time that does not parse is none too.
    maintenance_ends_at:
      typeof value.maintenance_ends_at === 'string' &&
      !Number.isNaN(Date.parse(value.maintenance_ends_at))
        ? value.maintenance_ends_at
        : null,
    maintenance_page_url:
      typeof value.maintenance_page_url === 'string' &&
      /^https?:\/\//i.test(value.maintenance_page_url)
        ? value.maintenance_page_url
        : null,
    web: {
      quantity: typeof web.quantity === 'number' && web.quantity > 0 ? web.quantity : 0,
      size: typeof web.size === 'string' ? web.size : null,
    },
    space: space ? { name: String(space.name ?? ''), shield: space.shield === true } : null,
    private_space: value.private_space === true,
    web_dynos: Array.isArray(value.web_dynos)
      ? value.web_dynos.flatMap((dyno) =>
          isObject(dyno) && typeof dyno.name === 'string' && typeof dyno.address === 'string'
            ? [{ name: dyno.name, address: dyno.address }]
            : [],
        )
      : [],
  };
}

export function parseChange(value: unknown): RoutingChange {
  if (!isObject(value) || !isVersion(value.version)) {
    throw new RoutingProtocolError('a change needs a numeric version');
  }
  const appId = typeof value.app_id === 'string' ? value.app_id : null;
  const change: RoutingChange = {
    version: value.version,
    action: typeof value.action === 'string' ? value.action : undefined,
    app_id: appId,
    app_name: typeof value.app_name === 'string' ? value.app_name : null,
  };
  if (value.routing === null) change.routing = null;
  else if (value.routing !== undefined) change.routing = parseRoutingEntry(value.routing);
  return change;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
