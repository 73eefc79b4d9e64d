import type { RoutingEntry } from '../common/routing/routing-entry.js';

/** Who may see an app besides the all-seeing: its owner and its collaborators. */
export interface AppMembers {
  ownerId: string;
  /** Mostly empty, and then one shared set (NO_COLLABORATORS). */
  collaboratorIds: ReadonlySet<string>;
}

export const NO_COLLABORATORS: ReadonlySet<string> = new Set();

/**
 * One app in the in-memory view: the routing entry kept only as its JSON (serialized once
 * per change, so lookups and snapshots never re-serialize, and 100,000 apps stay small),
 * plus the few fields the control plane itself reads.
 */
export interface ViewEntry extends AppMembers {
  id: string;
  name: string;
  maintenance: boolean;
  /** Why schedulers hold the app's jobs in maintenance, if they do: its policy or its config var. */
  pauseJobs: 'policy' | 'config_var' | null;
  /** The app's active window and those still to come, in start order; mostly none. */
  windows: readonly PlannedWindow[];
  /** The app's custom domains (lower case), which lookups by host find it by too; mostly none. */
  customHosts: readonly string[];
  json: string;
}

/** A window as schedulers see it. */
export interface PlannedWindow {
  id: string;
  state: 'scheduled' | 'active';
  starts_at: string;
  ends_at: string;
  reason: string | null;
  auto_off: boolean;
}

/**
 * JSON.stringify as one flat string. V8 builds its result as a rope of small pieces, about
 * three times the size; the view keeps one per app for as long as the app lives.
 */
export function flatJson(entry: RoutingEntry): string {
  return Buffer.from(JSON.stringify(entry)).toString();
}

/** Scheme-relative URLs (`//host/page.html`, as Heroku allows) become https. */
export function normalizePageUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  return value.startsWith('//') ? `https:${value}` : value;
}

/** A Host header as domains are stored: lower case, without its port and a trailing dot. */
export function hostFromHeader(hostOrName: string): string {
  return hostOrName.toLowerCase().replace(/\.?(:\d+)?$/, '');
}

/** The app name in a Host header `<app>.<domain>[:port]`, or the name itself. */
export function appNameFromHost(hostOrName: string, appsDomain: string): string {
  return appNameIn(hostFromHeader(hostOrName), appsDomain);
}

/** The app name in a host as hostFromHeader gives it, or the host itself. */
export function appNameIn(host: string, appsDomain: string): string {
  const suffix = `.${appsDomain}`;
  return host.endsWith(suffix) ? host.slice(0, -suffix.length) : host;
}
