import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../../test/support/eventually.js';
import { PageHostAllowList } from '../common/network/address-policy.js';
import { defaultMaintenancePage, htmlPage, MaintenancePages } from './maintenance-pages.js';
import { Page, PageFetcher } from './page-fetcher.js';

describe('defaultMaintenancePage', () => {
  it('is a self-contained page naming the app, escaped', () => {
    const html = defaultMaintenancePage('<my&app>').toString('utf8');
    expect(html).toContain('&lt;my&amp;app&gt;');
    expect(html).not.toContain('<my&app>');
    expect(html).toContain('Down for maintenance');
    expect(html).toMatch(/back soon/);
    expect(html).not.toMatch(/(src|href)=/);
  });
});

describe('MaintenancePages', () => {
  let server: http.Server;
  let base: string;
  const hits = new Map<string, number>();
  let delayMs = 0;
  let flakyFails = false;
  const fetchers: PageFetcher[] = [];
  const realNow = Date.now;
  let clockOffset = 0;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const html = (body: string) =>
        response.writeHead(200, { 'Content-Type': 'text/html' }).end(body);
      setTimeout(() => {
        if (path === '/page.html') html('<h1>custom</h1>');
        else if (path === '/huge.html') html('x'.repeat(2048));
        else if (/^\/\d{3}\.html$/.test(path)) html(path.slice(1, 4).repeat(100));
        else if (path === '/flaky.html' && !flakyFails) html('<h1>flaky</h1>');
        else response.writeHead(flakyFails ? 500 : 404).end('nope');
      }, delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(fetchers.map((fetcher) => fetcher.close()));
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    hits.clear();
    delayMs = 0;
    flakyFails = false;
    clockOffset = 0;
    Date.now = () => realNow() + clockOffset;
  });
  afterEach(() => {
    Date.now = realNow;
  });

  const fallback = htmlPage(Buffer.from('default'));
  const text = (page: Page | Promise<Page>) =>
    page instanceof Promise ? 'a promise' : page.body.toString();
  const pagesWith = (
    options: Partial<ConstructorParameters<typeof MaintenancePages>[0]> & {
      allowed?: string;
      fetchTimeoutMs?: number;
      maxBytes?: number;
    } = {},
  ) => {
    const fetcher = new PageFetcher({
      allowList: PageHostAllowList.parse(options.allowed ?? '127.0.0.1').allowList,
      timeoutMs: options.fetchTimeoutMs,
      maxBytes: options.maxBytes,
    });
    fetchers.push(fetcher);
    return new MaintenancePages({ fetcher, cacheSeconds: 60, ...options });
  };

  it('fetches a page once for concurrent requests, then serves it from the cache', async () => {
    const pages = pagesWith();
    const first = await Promise.all([1, 2, 3].map(() => pages.page(`${base}/page.html`, fallback)));
    expect(first.map(text)).toEqual(['<h1>custom</h1>', '<h1>custom</h1>', '<h1>custom</h1>']);
    expect(first[0].contentType).toBe('text/html');
    const cached = pages.page(`${base}/page.html`, fallback);
    expect(cached).toBe(first[0]);
    expect(hits.get('/page.html')).toBe(1);
  });

  it('refuses a page on the local network unless its host is allowed, and serves the default page', async () => {
    const failures: string[] = [];
    const refusing = pagesWith({
      allowed: '',
      onFetchError: (url, reason) => failures.push(`${url} ${reason}`),
    });
    expect(await refusing.page(`${base}/page.html`, fallback)).toBe(fallback);
    expect(failures).toEqual([
      `${base}/page.html refused: 127.0.0.1 is a loopback address (not in MAINTENANCE_PAGE_ALLOWED_HOSTS)`,
    ]);
    expect(hits.size).toBe(0);
    expect(text(await pagesWith().page(`${base}/page.html`, fallback))).toBe('<h1>custom</h1>');
  });

  it('falls back to the default page on an error, a slow server or an oversized page, without refetching', async () => {
    const failures: string[] = [];
    const pages = pagesWith({
      fetchTimeoutMs: 200,
      maxBytes: 1024,
      onFetchError: (url, reason) => failures.push(`${url} ${reason}`),
    });
    const secretUrl = `${base.replace('//', '//user:password@')}/huge.html?sig=secret#frag`;
    expect(await pages.page(`${base}/missing.html`, fallback)).toBe(fallback);
    expect(await pages.page(secretUrl, fallback)).toBe(fallback);
    delayMs = 1000;
    expect(await pages.page(`${base}/page.html`, fallback)).toBe(fallback);
    expect(pages.page(`${base}/missing.html`, fallback)).toBe(fallback);
    expect([...hits.values()]).toEqual([1, 1, 1]);
    expect(failures).toEqual([
      `${base}/missing.html answered 404`,
      `${base}/huge.html is larger than 1024 bytes`,
      `${base}/page.html timed out after 200 ms`,
    ]);
  });

  it('serves the stale page while refreshing it in the background', async () => {
    const pages = pagesWith({ cacheSeconds: 1 });
    const first = await pages.page(`${base}/page.html`, fallback);
    clockOffset = 5000;
    delayMs = 300;
    expect(pages.page(`${base}/page.html`, fallback)).toBe(first);
    expect(pages.page(`${base}/page.html`, fallback)).toBe(first);
    await eventually(() => expect(hits.get('/page.html')).toBe(2));
  });

  it('keeps all pages within one byte budget, dropping the least recently used', async () => {
    const url = (n: number) => `${base}/${n}.html`;
    const cost = (n: number) => url(n).length + 300;
    const pages = pagesWith({ cacheBytes: cost(100) + cost(200) + 10 });
    await pages.page(url(100), fallback);
    clockOffset = 10;
    await pages.page(url(200), fallback);
    clockOffset = 20;
    expect(text(pages.page(url(100), fallback))).toBe('100'.repeat(100));
    expect(pages.bytes).toBe(cost(100) + cost(200));

    clockOffset = 30;
    expect(text(await pages.page(url(300), fallback))).toBe('300'.repeat(100));
    expect(pages.bytes).toBe(cost(100) + cost(300));
    expect(text(pages.page(url(100), fallback))).toBe('100'.repeat(100));
    expect(text(pages.page(url(300), fallback))).toBe('300'.repeat(100));
    // 200 was the least recently used: it is fetched again.
    const again = pages.page(url(200), fallback);
    expect(again).toBeInstanceOf(Promise);
    expect(text(await again)).toBe('200'.repeat(100));
    expect([hits.get('/100.html'), hits.get('/200.html'), hits.get('/300.html')]).toEqual([
      1, 2, 1,
    ]);
  });

  it('refuses a page larger than the whole budget', async () => {
    const failures: string[] = [];
    const pages = pagesWith({
      cacheBytes: 1000,
      onFetchError: (_url, reason) => failures.push(reason),
    });
    expect(await pages.page(`${base}/huge.html`, fallback)).toBe(fallback);
    expect(failures).toEqual(['does not fit in the page cache (MAINTENANCE_PAGE_CACHE_BYTES)']);
    expect(pages.bytes).toBe(`${base}/huge.html`.length);
  });

  it('drops pages nobody asked for in ten cache periods', async () => {
    const pages = pagesWith({ cacheSeconds: 1 });
    await pages.page(`${base}/100.html`, fallback);
    clockOffset = 9_000;
    await pages.page(`${base}/200.html`, fallback);
    expect(pages.bytes).toBe(2 * (`${base}/100.html`.length + 300));

    clockOffset = 10_500;
    await pages.page(`${base}/300.html`, fallback);
    expect(pages.bytes).toBe(2 * (`${base}/100.html`.length + 300));
    expect(pages.page(`${base}/100.html`, fallback)).toBeInstanceOf(Promise);
  });

  it('serves the last good copy of a failing page for ten cache periods, then the default page', async () => {
    const pages = pagesWith({ cacheSeconds: 1 });
    const good = await pages.page(`${base}/flaky.html`, fallback);
    expect(text(good)).toBe('<h1>flaky</h1>');
    flakyFails = true;

    clockOffset = 5_000;
    expect(pages.page(`${base}/flaky.html`, fallback)).toBe(good);
    await eventually(() => expect(hits.get('/flaky.html')).toBe(2));
    await eventually(() => expect(pages.page(`${base}/flaky.html`, fallback)).toBe(good));

    clockOffset = 11_000;
    expect(pages.page(`${base}/flaky.html`, fallback)).toBe(good);
    await eventually(() => expect(pages.page(`${base}/flaky.html`, fallback)).toBe(fallback));
    expect(pages.bytes).toBe(`${base}/flaky.html`.length);
  });
});
