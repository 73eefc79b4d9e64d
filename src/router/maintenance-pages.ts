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

/** Heroku shows one page for every router error (H10, H12, H13, H14...): the code is in the log. */
export const APPLICATION_ERROR_PAGE = renderPage({
  title: 'Application error',
  icon: 'alert',
  heading: 'Application error',
  paragraphs: [
    'An error occurred in the application and your page could not be served.',
    'Please try again in a few moments.',
  ],
  footer: '503 · Service Unavailable',
});

export const NO_SUCH_APP_PAGE = renderPage({
  title: 'No such app',
  icon: 'compass',
  heading: 'No such app',
  paragraphs: [
    'There is no app at this address.',
    'Check the address, or ask the app&#39;s owner.',
  ],
  footer: '404 · Not Found',
});

export interface MaintenancePagesOptions {
  cacheSeconds: number;
  fetchTimeoutMs?: number;
  maxBytes?: number;
  maxEntries?: number;
  /** Where to report fetch failures, without the page's query string. */
  onFetchError?: (url: string, reason: string) => void;
}

interface CachedPage {
  /** null until the first fetch succeeds: the default page stands in. */
  body: Buffer | null;
  expiresAt: number;
  /** The fetch in flight, shared by everyone who needs this page meanwhile. */
  loading: Promise<void> | null;
  loaded: boolean;
}

/**
 * Custom maintenance pages (the app's MAINTENANCE_PAGE_URL), cached per URL. Only the first
 * request for a URL that was never fetched waits (at most the fetch timeout, and all such
 * requests wait for the same fetch); afterwards a stale page is served while it is refreshed
 * in the background, and a failed refresh keeps the last good page. Without any good copy the
 * default page is served.
 */
export class MaintenancePages {
  private readonly cache = new Map<string, CachedPage>();
  private readonly ttlMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxEntries: number;

  constructor(private readonly options: MaintenancePagesOptions) {
    this.ttlMs = options.cacheSeconds * 1000;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 2000;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  /** The page for `url`, or `fallback` while none could be fetched. */
  page(url: string, fallback: Buffer): Buffer | Promise<Buffer> {
    const cached = this.cache.get(url);
    if (cached === undefined) {
      const entry = this.load(url);
      return (entry.loading as Promise<void>).then(() => entry.body ?? fallback);
    }
    if (!cached.loaded && cached.loading) return cached.loading.then(() => cached.body ?? fallback);
    if (cached.expiresAt <= Date.now() && !cached.loading) this.refresh(url, cached);
    return cached.body ?? fallback;
  }

  /** Starts fetching a page before anyone asks for it (an app just entered maintenance). */
  warm(url: string): void {
    const cached = this.cache.get(url);
    if (cached === undefined) this.load(url);
    else if (cached.expiresAt <= Date.now() && !cached.loading) this.refresh(url, cached);
  }

  private load(url: string): CachedPage {
    if (this.cache.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    const entry: CachedPage = { body: null, expiresAt: 0, loading: null, loaded: false };
    this.cache.set(url, entry);
    this.refresh(url, entry);
    return entry;
  }

  private refresh(url: string, entry: CachedPage): void {
    entry.loading = this.fetchPage(url).then(
      (body) => {
        entry.body = body;
      },
      (error: unknown) => this.options.onFetchError?.(url.replace(/[?#].*$/, ''), reason(error)),
    );
    void entry.loading.then(() => {
      entry.loading = null;
      entry.loaded = true;
      entry.expiresAt = Date.now() + this.ttlMs;
    });
  }

  private async fetchPage(url: string): Promise<Buffer> {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(this.fetchTimeoutMs),
      headers: { Accept: 'text/html,*/*;q=0.8' },
      redirect: 'follow',
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`answered ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.maxBytes) {
      await response.body.cancel();
      throw new Error(`is larger than ${this.maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > this.maxBytes) throw new Error(`is larger than ${this.maxBytes} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, size);
  }
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${error.message}: ${cause.code ?? cause.message}` : error.message;
}
