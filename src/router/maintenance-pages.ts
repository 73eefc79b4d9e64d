import { loggablePageUrl, Page, PageFetcher } from './page-fetcher.js';

/** Self-contained pages (inline CSS and SVG, no external assets): they must render when all else is down. */

const STYLE =
  '*{box-sizing:border-box}html,body{height:100%;margin:0}' +
  'body{display:flex;align-items:center;justify-content:center;padding:24px;' +
  'font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;' +
  'color:#1f2937;background:linear-gradient(135deg,#eef2ff 0%,#f8fafc 55%,#ecfeff 100%)}' +
  'main{width:100%;max-width:560px;padding:48px 40px;text-align:center;background:#fff;border-radius:16px;' +
  'box-shadow:0 1px 2px rgba(15,23,42,.06),0 12px 40px rgba(15,23,42,.08)}' +
  '.icon{display:inline-flex;align-items:center;justify-content:center;width:88px;height:88px;' +
  'border-radius:50%;background:#eef2ff;color:#4f46e5}' +
  '.icon svg{width:44px;height:44px}' +
  'h1{margin:24px 0 8px;font-size:26px;line-height:1.25;color:#111827}' +
  'p{margin:0 0 8px;color:#4b5563}' +
  '.app{font-weight:600;color:#111827;word-break:break-all}' +
  'footer{margin-top:28px;font-size:13px;color:#9ca3af}' +
  '@media (prefers-color-scheme:dark){' +
  'body{color:#e5e7eb;background:linear-gradient(135deg,#0f172a 0%,#111827 55%,#082f49 100%)}' +
  'main{background:#1f2937;box-shadow:0 12px 40px rgba(0,0,0,.35)}' +
  '.icon{background:#312e81;color:#c7d2fe}h1,.app{color:#f9fafb}p{color:#d1d5db}footer{color:#6b7280}}';

const SVG_OPEN =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
  'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">';

const ICONS = {
  wrench:
    '<path d="M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.77-3.77a6 6 0 0 1-7.94 7.94' +
    'l-6.91 6.91a2.12 2.12 0 0 1-3-3l6.91-6.91a6 6 0 0 1 7.94-7.94l-3.76 3.76z"/>',
  alert:
    '<path d="M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z"/>' +
    '<path d="M12 9v4"/><path d="M12 17h.01"/>',
  compass:
    '<circle cx="12" cy="12" r="10"/><path d="m16.24 7.76-2.12 6.36-6.36 2.12 2.12-6.36 6.36-2.12z"/>',
};

interface PageContent {
  title: string;
  icon: keyof typeof ICONS;
  heading: string;
  /** Already escaped HTML. */
  paragraphs: string[];
  footer: string;
}

function renderPage(page: PageContent): Buffer {
  return Buffer.from(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width,initial-scale=1">' +
      `<meta name="robots" content="noindex"><title>${escapeHtml(page.title)}</title>` +
      `<style>${STYLE}</style></head><body><main>` +
      `<div class="icon">${SVG_OPEN}${ICONS[page.icon]}</svg></div>` +
      `<h1>${escapeHtml(page.heading)}</h1>` +
      page.paragraphs.map((p) => `<p>${p}</p>`).join('') +
      `<footer>${escapeHtml(page.footer)}</footer></main></body></html>\n`,
    'utf8',
  );
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** The built-in maintenance page, naming the app. Callers keep the bytes per app. */
export function defaultMaintenancePage(appName: string): Buffer {
  const app = `<span class="app">${escapeHtml(appName)}</span>`;
  return renderPage({
    title: `${appName} · Down for maintenance`,
    icon: 'wrench',
    heading: 'Down for maintenance',
    paragraphs: [
      `${app} is offline for maintenance right now.`,
      'We&#39;ll be back soon. Please check again in a few minutes.',
    ],
    footer: '503 · Service Unavailable',
  });
}

/** A built-in page as the router sends it. */
export function htmlPage(body: Buffer): Page {
  return { body, contentType: 'text/html; charset=utf-8' };
}

/** Heroku shows one page for every router error (H10, H12, H13, H14...): the code is in the log. */
export const APPLICATION_ERROR_PAGE = htmlPage(
  renderPage({
    title: 'Application error',
    icon: 'alert',
    heading: 'Application error',
    paragraphs: [
      'An error occurred in the application and your page could not be served.',
      'Please try again in a few moments.',
    ],
    footer: '503 · Service Unavailable',
  }),
);

export const NO_SUCH_APP_PAGE = htmlPage(
  renderPage({
    title: 'No such app',
    icon: 'compass',
    heading: 'No such app',
    paragraphs: [
      'There is no app at this address.',
      'Check the address, or ask the app&#39;s owner.',
    ],
    footer: '404 · Not Found',
  }),
);

export interface MaintenancePagesOptions {
  fetcher: PageFetcher;
  cacheSeconds: number;
  /** Memory for all pages together, those being fetched included. */
  cacheBytes?: number;
  maxEntries?: number;
  /** Where to report fetch failures; the URL comes without user-info or query string. */
  onFetchError?: (url: string, reason: string) => void;
}

/** Pages nobody asked for in this many cache periods are dropped. */
const IDLE_PERIODS = 10;
/** A page whose refreshes keep failing is served from its last good copy this many periods. */
const STALE_PERIODS = 10;

interface CachedPage {
  readonly url: string;
  /** The last good copy; null until a fetch succeeds, then the default page stands in. */
  page: Page | null;
  /** What this entry holds against the budget: its URL and its page. */
  bytes: number;
  fetchedAt: number;
  expiresAt: number;
  usedAt: number;
  /** The fetch in flight, shared by everyone who needs this page meanwhile. */
  loading: Promise<void> | null;
  loaded: boolean;
}

/**
 * Custom maintenance pages (the app's MAINTENANCE_PAGE_URL), cached per URL. Only the first
 * request for a URL that was never fetched waits (at most the fetch timeout, and all such
 * requests wait for the same fetch); afterwards a stale page is served while it is refreshed
 * in the background, and a failed refresh keeps the last good page for a while. Without any
 * good copy the default page is served. All pages, with those being fetched, share one byte
 * budget (least recently used go first), so no app can grow the router's memory.
 */
export class MaintenancePages {
  private readonly cache = new Map<string, CachedPage>();
  private readonly fetcher: PageFetcher;
  private readonly ttlMs: number;
  private readonly budgetBytes: number;
  private readonly maxEntries: number;
  /** Held by cached entries and by fetches in flight. */
  private usedBytes = 0;
  private nextSweepAt = 0;

  constructor(private readonly options: MaintenancePagesOptions) {
    this.fetcher = options.fetcher;
    this.ttlMs = options.cacheSeconds * 1000;
    this.budgetBytes = options.cacheBytes ?? 16 * 1024 * 1024;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  /** Bytes held now: cached pages with their URLs, and fetches in flight. */
  get bytes(): number {
    return this.usedBytes;
  }

  /** The page for `url`, or `fallback` while none could be fetched. */
  page(url: string, fallback: Page): Page | Promise<Page> {
    const cached = this.cache.get(url);
    if (cached === undefined) {
      const entry = this.load(url);
      return (entry.loading as Promise<void>).then(() => entry.page ?? fallback);
    }
    if (!cached.loaded && cached.loading) return cached.loading.then(() => cached.page ?? fallback);
    const now = Date.now();
    cached.usedAt = now;
    if (cached.expiresAt <= now && !cached.loading) this.refresh(cached);
    return cached.page ?? fallback;
  }

  /** Starts fetching a page before anyone asks for it (an app just entered maintenance). */
  warm(url: string): void {
    const cached = this.cache.get(url);
    if (cached === undefined) return void this.load(url);
    cached.usedAt = Date.now();
    if (cached.expiresAt <= cached.usedAt && !cached.loading) this.refresh(cached);
  }

  private load(url: string): CachedPage {
    const now = Date.now();
    this.sweep(now);
    if (this.cache.size >= this.maxEntries) {
      const victim = this.leastRecentlyUsed(undefined);
      if (victim) this.drop(victim);
    }
    const entry: CachedPage = {
      url,
      page: null,
      bytes: url.length,
      fetchedAt: 0,
      expiresAt: 0,
      usedAt: now,
      loading: null,
      loaded: false,
    };
    this.cache.set(url, entry);
    this.usedBytes += entry.bytes;
    this.refresh(entry);
    return entry;
  }

  private refresh(entry: CachedPage): void {
    let reserved = 0;
    const budget = (bytes: number) => {
      if (!this.reserve(bytes, entry)) return false;
      reserved += bytes;
      return true;
    };
    entry.loading = this.fetcher.fetch(entry.url, budget).then(
      (page) => {
        this.usedBytes -= reserved;
        entry.page = page;
        entry.fetchedAt = Date.now();
        this.resize(entry, entry.url.length + page.body.length);
      },
      (error: unknown) => {
        this.usedBytes -= reserved;
        if (entry.page && entry.fetchedAt + STALE_PERIODS * this.ttlMs <= Date.now()) {
          entry.page = null;
          this.resize(entry, entry.url.length);
        }
        this.options.onFetchError?.(
          loggablePageUrl(entry.url),
          error instanceof Error ? error.message : String(error),
        );
      },
    );
    void entry.loading.then(() => {
      const now = Date.now();
      entry.loading = null;
      entry.loaded = true;
      entry.expiresAt = now + this.ttlMs;
      this.sweep(now);
    });
  }

  /** Makes room for `bytes` more, dropping the least recently used pages but `keep`. */
  private reserve(bytes: number, keep: CachedPage): boolean {
    while (this.usedBytes + bytes > this.budgetBytes) {
      const victim = this.leastRecentlyUsed(keep);
      if (!victim) return false;
      this.drop(victim);
    }
    this.usedBytes += bytes;
    return true;
  }

  /** An entry dropped while it was being fetched still answers its waiters, then is gone. */
  private resize(entry: CachedPage, bytes: number): void {
    if (this.cache.get(entry.url) !== entry) return;
    this.usedBytes += bytes - entry.bytes;
    entry.bytes = bytes;
  }

  private drop(entry: CachedPage): void {
    if (this.cache.get(entry.url) !== entry) return;
    this.cache.delete(entry.url);
    this.usedBytes -= entry.bytes;
  }

  private leastRecentlyUsed(keep: CachedPage | undefined): CachedPage | undefined {
    let oldest: CachedPage | undefined;
    for (const entry of this.cache.values()) {
      if (entry !== keep && (oldest === undefined || entry.usedAt < oldest.usedAt)) oldest = entry;
    }
    return oldest;
  }

  /** Drops the pages nobody asked for lately; at most once per cache period, off the hot path. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.ttlMs;
    for (const entry of this.cache.values()) {
      if (!entry.loading && entry.usedAt + IDLE_PERIODS * this.ttlMs <= now) this.drop(entry);
    }
  }
}
