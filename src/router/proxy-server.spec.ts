import { jest } from '@jest/globals';
import http from 'node:http';
import { PageHostAllowList } from '../common/network/address-policy.js';
import { MaintenancePages } from './maintenance-pages.js';
import { PageFetcher } from './page-fetcher.js';
import { ProxyServer } from './proxy-server.js';
import { RouterLog } from './router-log.js';
import { RoutingEntry, RoutingTable } from './routing-table.js';

const NOW = Date.parse('2026-12-01T18:00:00.000Z');
const DEFAULT_RETRY_AFTER = 45;

function entry(name: string, maintenanceEndsAt: number | null): RoutingEntry {
  return {
    id: `id-${name}`,
    name,
    hosts: [],
    maintenance: true,
    maintenance_ends_at:
      maintenanceEndsAt === null ? null : new Date(maintenanceEndsAt).toISOString(),
    maintenance_page_url: null,
    web: { quantity: 0, size: 'Standard-1X' },
    space: null,
    private_space: false,
    web_dynos: [],
  };
}

function get(port: number, host: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { port, host: '127.0.0.1', path: '/', headers: { Host: host }, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/**
 * The Retry-After of the router's maintenance answer (503): the seconds until the planned
 * end, or the configured default when nothing plans one or it has just passed.
 */
describe('ProxyServer in maintenance: Retry-After', () => {
  // [app, Retry-After, when its maintenance ends]; rounded up: a client never comes back early.
  const cases: [string, number, number | null][] = [
    ['nothing-planned', DEFAULT_RETRY_AFTER, null],
    ['ends-in-90s', 90, NOW + 90_000],
    ['ends-in-89-001s', 90, NOW + 89_001],
    ['ends-in-1ms', 1, NOW + 1],
    ['ends-now', DEFAULT_RETRY_AFTER, NOW],
    ['ended-5s-ago', DEFAULT_RETRY_AFTER, NOW - 5000],
    ['ends-in-3-days', 3 * 86_400, NOW + 3 * 86_400_000],
  ];
  let server: ProxyServer;
  let port: number;

  beforeAll(async () => {
    const table = new RoutingTable('localhost');
    table.replaceRoutes(
      1,
      cases.map(([name, , endsAt]) => table.route(entry(name, endsAt))),
    );
    const discard = { write: () => true };
    server = new ProxyServer({
      table,
      pages: new MaintenancePages({
        fetcher: new PageFetcher({ allowList: PageHostAllowList.parse('').allowList }),
        cacheSeconds: 60,
      }),
      log: new RouterLog(discard, discard),
      retryAfterSeconds: DEFAULT_RETRY_AFTER,
      requestTimeoutMs: 1000,
    });
    port = await server.listen(0, '127.0.0.1');
  });

  afterAll(() => server.close(0));
  // The router's clock, fixed: the answer depends only on how far the end is.
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
  afterEach(() => jest.restoreAllMocks());

  it.each(cases)('%s: Retry-After %i', async (name, seconds) => {
    const response = await get(port, `${name}.localhost`);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe(String(seconds));
  });
});
