import { InvalidParamsError } from '../common/errors/api-errors.js';
import {
  MAINTENANCE_PAGE_ALLOWED_HOSTS,
  PageHostAllowList,
  refusedPageHost,
} from '../common/network/address-policy.js';

/** Heroku's key rule (`^\w+$`), bounded. */
const KEY = /^\w{1,255}$/;
/** Heroku caps an app's whole config at 32 kB. */
export const MAX_CONFIG_BYTES = 32 * 1024;
/** Keys one PATCH may set or remove: work per request stays bounded, also for removals. */
export const MAX_KEYS_PER_PATCH = 2000;
/** How much of a release description lists keys by name; the rest are counted. */
const LISTED_KEYS_CHARS = 100;

export type ConfigVarsPatch = Record<string, string | null>;

/**
 * A PATCH body: an object whose values are strings (set) or null (remove). `pageHosts` are
 * the non-public hosts the operator lets MAINTENANCE_PAGE_URL name.
 */
export function parseConfigVarsPatch(body: unknown, pageHosts: PageHostAllowList): ConfigVarsPatch {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidParamsError(
      'Send a JSON object of config vars, e.g. {"FOO": "bar", "OLD": null}.',
    );
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length === 0) throw new InvalidParamsError('No config vars given.');
  if (entries.length > MAX_KEYS_PER_PATCH) {
    throw new InvalidParamsError(
      `${count(entries.length)} config vars in one request; set or remove at most ${count(MAX_KEYS_PER_PATCH)} at a time.`,
    );
  }
  for (const [key, value] of entries) {
    if (!KEY.test(key)) {
      throw new InvalidParamsError(
        `Invalid config var key "${key}": use letters, digits and underscores (1 to 255).`,
      );
    }
    if (value !== null && typeof value !== 'string') {
      throw new InvalidParamsError(
        `Config var ${key} must be a string, or null to remove it; got ${typeof value}.`,
      );
    }
    if (key === 'MAINTENANCE_PAGE_URL' && value !== null) checkMaintenancePageUrl(value, pageHosts);
  }
  return body as ConfigVarsPatch;
}

/**
 * Routers fetch the page from here and serve it to anyone: http(s) or scheme-relative
 * (`//host/path`) only, and not at an address that names the local network. Routers check
 * the address they connect to as well: this catches only what the URL says literally.
 */
export function checkMaintenancePageUrl(value: string, pageHosts: PageHostAllowList): void {
  let url: URL | undefined;
  try {
    url = new URL(value.startsWith('//') ? `https:${value}` : value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname || /\s/.test(value)) {
    throw new InvalidParamsError(
      `MAINTENANCE_PAGE_URL must be an http(s) URL or a scheme-relative one such as //s3.amazonaws.com/bucket/page.html; got "${value}".`,
    );
  }
  const refusal = refusedPageHost(pageHosts, url.hostname);
  if (refusal) {
    throw new InvalidParamsError(
      `MAINTENANCE_PAGE_URL must point at a public address: ${refusal}. Routers serve this page to anyone, so they do not fetch it from inside their network; host it where the internet can reach it, or ask the operator to allow the host in ${MAINTENANCE_PAGE_ALLOWED_HOSTS}.`,
    );
  }
}

export interface ConfigChange {
  next: Record<string, string>;
  set: string[];
  removed: string[];
}

/** Applies a patch; keys whose value does not change are not counted as set. */
export function applyConfigVarsPatch(
  current: Record<string, string>,
  patch: ConfigVarsPatch,
): ConfigChange {
  const next = { ...current };
  const set: string[] = [];
  const removed: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (key in next) {
        delete next[key];
        removed.push(key);
      }
    } else if (next[key] !== value) {
      next[key] = value;
      set.push(key);
    }
  }
  const bytes = Object.entries(next).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
  if (bytes > MAX_CONFIG_BYTES) {
    throw new InvalidParamsError(
      `Config vars would take ${bytes} bytes; the limit for an app is ${MAX_CONFIG_BYTES}.`,
    );
  }
  return { next: sortByKey(next), set, removed };
}

/**
 * Heroku's release description: "Set FOO, BAR config vars", "Remove FOO config vars". Past
 * about 100 characters of key names the rest are counted ("Set A, B and 1,998 more config
 * vars"), so a large change still reads as one line.
 */
export function describeConfigChange(change: ConfigChange): string {
  const parts: string[] = [];
  if (change.set.length) parts.push(`Set ${listKeys(change.set)} config vars`);
  if (change.removed.length) parts.push(`Remove ${listKeys(change.removed)} config vars`);
  return parts.join(', ');
}

function listKeys(keys: string[]): string {
  let listed = 1;
  let length = keys[0].length;
  while (listed < keys.length && length + 2 + keys[listed].length <= LISTED_KEYS_CHARS) {
    length += 2 + keys[listed].length;
    listed++;
  }
  const names = keys.slice(0, listed).join(', ');
  return listed === keys.length ? names : `${names} and ${count(keys.length - listed)} more`;
}

const count = (n: number) => n.toLocaleString('en-US');

export function sortByKey(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).sort(([a], [b]) => a.localeCompare(b)));
}
