import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultMaintenancePage, MaintenancePages } from './maintenance-pages.js';

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
  let hits = 0;
  let delayMs = 0;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      hits++;
      setTimeout(() => {
        if (request.url === '/page.html') response.end('<h1>custom</h1>');
        else if (request.url === '/huge.html') response.end('x'.repeat(2048));
        else response.writeHead(404).end('nope');
      }, delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    hits = 0;
    delayMs = 0;
  });

  const fallback = Buffer.from('default');

  it('fetches a page once for concurrent requests, then serves it from the cache', async () => {
    const pages = new MaintenancePages({ cacheSeconds: 60 });
    const first = await Promise.all([1, 2, 3].map(() => pages.page(`${base}/page.html`, fallback)));
    expect(first.map(String)).toEqual(['<h1>custom</h1>', '<h1>custom</h1>', '<h1>custom</h1>']);
    const cached = pages.page(`${base}/page.html`, fallback);
    expect(Buffer.isBuffer(cached) && cached.toString()).toBe('<h1>custom</h1>');
    expect(hits).toBe(1);
  });

  it('falls back to the default page on an error, a slow server or an oversized page, without refetching', async () => {
    const failures: string[] = [];
    const pages = new MaintenancePages({
      cacheSeconds: 60,
      fetchTimeoutMs: 200,
      maxBytes: 1024,
      onFetchError: (url) => failures.push(url),
    });
    expect(String(await pages.page(`${base}/missing.html`, fallback))).toBe('default');
    expect(String(await pages.page(`${base}/huge.html?sig=secret`, fallback))).toBe('default');
    delayMs = 1000;
    const started = Date.now();
    expect(String(await pages.page(`${base}/page.html`, fallback))).toBe('default');
    expect(Date.now() - started).toBeLessThan(900);
    expect(pages.page(`${base}/missing.html`, fallback)).toBe(fallback);
    expect(hits).toBe(3);
    expect(failures).toEqual([`${base}/missing.html`, `${base}/huge.html`, `${base}/page.html`]);
  });

  it('serves the stale page while refreshing it in the background', async () => {
    const pages = new MaintenancePages({ cacheSeconds: 1 });
    await pages.page(`${base}/page.html`, fallback);
    const realNow = Date.now;
    Date.now = () => realNow() + 5000;
    try {
      delayMs = 300;
      const stale = pages.page(`${base}/page.html`, fallback);
      expect(Buffer.isBuffer(stale) && stale.toString()).toBe('<h1>custom</h1>');
      expect(pages.page(`${base}/page.html`, fallback)).toBe(stale);
    } finally {
      Date.now = realNow;
    }
    const deadline = Date.now() + 2000;
    while (hits < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hits).toBe(2);
  });
});
