import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PageHostAllowList } from '../common/network/address-policy.js';
import { loadRouterConfig, RouterConfigError } from './router-config.js';

describe('loadRouterConfig', () => {
  it('has defaults for everything but the token', () => {
    expect(loadRouterConfig({ ROUTER_TOKEN: 'drydock_router' })).toEqual({
      port: 8080,
      host: '0.0.0.0',
      controlPlaneUrl: 'http://127.0.0.1:3000',
      token: 'drydock_router',
      tokenSource: 'ROUTER_TOKEN',
      appsDomain: 'localhost',
      maintenanceRetryAfterSeconds: 60,
      maintenancePageCacheSeconds: 60,
      maintenancePageCacheBytes: 16 * 1024 * 1024,
      maintenancePageAllowList: expect.any(PageHostAllowList),
      requestTimeoutMs: 30_000,
      logShipping: true,
      logBufferLines: 10_000,
      logLinesPerSecond: 1000,
    });
  });

  it("ships request lines to the apps' logs unless told not to, with a bounded buffer", () => {
    expect(
      loadRouterConfig({
        ROUTER_TOKEN: 't',
        ROUTER_LOG_SHIPPING: 'off',
        ROUTER_LOG_BUFFER_LINES: '500',
      }),
    ).toMatchObject({ logShipping: false, logBufferLines: 500 });
    expect(loadRouterConfig({ ROUTER_TOKEN: 't', ROUTER_LOG_SHIPPING: 'ON' }).logShipping).toBe(
      true,
    );
  });

  it('reads the hosts whose maintenance pages may be served from inside the network', () => {
    const config = loadRouterConfig({
      ROUTER_TOKEN: 't',
      MAINTENANCE_PAGE_ALLOWED_HOSTS: 'pages.internal, 10.0.0.0/8',
      MAINTENANCE_PAGE_CACHE_BYTES: '2097152',
    });
    expect(config.maintenancePageCacheBytes).toBe(2 * 1024 * 1024);
    expect(config.maintenancePageAllowList.allowsHost('pages.internal')).toBe(true);
    expect(config.maintenancePageAllowList.allowsAddress('10.9.8.7')).toBe(true);
    expect(config.maintenancePageAllowList.allowsAddress('127.0.0.1')).toBe(false);
    expect(
      loadRouterConfig({ ROUTER_TOKEN: 't' }).maintenancePageAllowList.allowsHost('localhost'),
    ).toBe(false);
  });

  it('never uses the admin token; without ROUTER_TOKEN it reads DATA_DIR/router-token', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-router-config-'));
    try {
      const admin = {
        DRYDOCK_ADMIN_TOKEN: 'f3a1c9e07b5d2468ace13579bdf02468ace13579',
        DATA_DIR: dataDir,
      };
      expect(() => loadRouterConfig(admin)).toThrow(
        `ROUTER_TOKEN is required (a token with the routing scope), or ${path.join(dataDir, 'router-token')}`,
      );
      writeFileSync(path.join(dataDir, 'router-token'), 'drydock_from_file\n');
      chmodSync(path.join(dataDir, 'router-token'), 0o600);
      expect(loadRouterConfig(admin)).toMatchObject({
        token: 'drydock_from_file',
        tokenSource: path.join(dataDir, 'router-token'),
      });
      expect(loadRouterConfig({ ...admin, ROUTER_TOKEN: 'router' }).token).toBe('router');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names every problem at once', () => {
    let error: RouterConfigError | undefined;
    try {
      loadRouterConfig({
        DATA_DIR: '/nonexistent-drydock-router',
        ROUTER_PORT: 'eighty',
        CONTROL_PLANE_URL: 'ftp://cp',
        APPS_DOMAIN: 'bad domain',
        MAINTENANCE_RETRY_AFTER: '-1',
        MAINTENANCE_PAGE_CACHE_SECONDS: '0',
        MAINTENANCE_PAGE_CACHE_BYTES: '1024',
        MAINTENANCE_PAGE_ALLOWED_HOSTS: 'pages.internal, http://pages.internal/',
        ROUTER_LOG_SHIPPING: 'sometimes',
        ROUTER_LOG_BUFFER_LINES: '10',
      });
    } catch (caught) {
      error = caught as RouterConfigError;
    }
    expect(error).toBeInstanceOf(RouterConfigError);
    expect(error!.problems).toEqual([
      'ROUTER_PORT must be an integer between 0 and 65535, got "eighty"',
      'CONTROL_PLANE_URL must be an http:// or https:// URL such as http://127.0.0.1:3000',
      'ROUTER_TOKEN is required (a token with the routing scope), or /nonexistent-drydock-router/router-token, which the API writes on its first start when DRYDOCK_ROUTER_TOKEN is unset',
      'APPS_DOMAIN must be a host name such as apps.example.com',
      'MAINTENANCE_RETRY_AFTER must be an integer between 0 and 86400, got "-1"',
      'MAINTENANCE_PAGE_CACHE_SECONDS must be an integer between 1 and 86400, got "0"',
      'MAINTENANCE_PAGE_CACHE_BYTES must be an integer between 1048576 and 1073741824, got "1024"',
      'ROUTER_LOG_SHIPPING must be on or off, got "sometimes"',
      'ROUTER_LOG_BUFFER_LINES must be an integer between 100 and 1000000, got "10"',
      'MAINTENANCE_PAGE_ALLOWED_HOSTS: "http://pages.internal/" is not a host name, an IP address or a CIDR block (such as pages.internal, *.pages.internal, 10.1.2.3, 10.0.0.0/8 or fd00::/8)',
    ]);
  });

  it('strips a trailing slash from the control plane URL', () => {
    expect(
      loadRouterConfig({ ROUTER_TOKEN: 't', CONTROL_PLANE_URL: 'https://cp.example.com/' })
        .controlPlaneUrl,
    ).toBe('https://cp.example.com');
  });
});
