import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir.endsWith('.data')).toBe(true);
    expect(config.migrateOnBoot).toBe(true);
    expect(config.appsDomain).toBe('localhost');
    expect(config.logFormat).toBe('auto');
  });

  it('reads LOG_FORMAT json, pretty or auto, and refuses anything else', () => {
    expect(loadConfig({ LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'logfmt' })).toThrow(
      /LOG_FORMAT must be one of auto, json, pretty/,
    );
  });

  it('reads PUBLIC_URL and the slug limits, and refuses what is not an http(s) base URL', () => {
    expect(loadConfig({})).toMatchObject({
      publicUrl: undefined,
      slugMaxBytes: 500 * 1024 * 1024,
      slugUrlTtlSeconds: 3600,
    });
    const config = loadConfig({
      PUBLIC_URL: 'https://drydock.example.com/api/',
      SLUG_MAX_BYTES: '2048',
      SLUG_URL_TTL_SECONDS: '60',
    });
    expect(config).toMatchObject({
      publicUrl: 'https://drydock.example.com/api',
      slugMaxBytes: 2048,
      slugUrlTtlSeconds: 60,
    });
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl).toBe(
      'http://127.0.0.1:3000',
    );
    for (const value of ['drydock.example.com', 'ftp://x', 'https://x/?a=1', 'https://u:p@x']) {
      expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(/PUBLIC_URL/);
    }
    expect(() => loadConfig({ SLUG_URL_TTL_SECONDS: '0' })).toThrow(/SLUG_URL_TTL_SECONDS/);
  });

  it('reads MIGRATE_ON_BOOT=false and a hex encryption key', () => {
    const config = loadConfig({
      MIGRATE_ON_BOOT: 'false',
      DRYDOCK_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    expect(config.migrateOnBoot).toBe(false);
    expect(config.encryptionKey?.length).toBe(32);
  });

  it('reads the hosts MAINTENANCE_PAGE_URL may name inside the network, and refuses bad entries', () => {
    const config = loadConfig({ MAINTENANCE_PAGE_ALLOWED_HOSTS: 'pages.internal,10.0.0.0/8' });
    expect(config.maintenancePageAllowList.allowsHost('pages.internal')).toBe(true);
    expect(config.maintenancePageAllowList.allowsHost('10.1.1.1')).toBe(true);
    expect(loadConfig({}).maintenancePageAllowList.allowsHost('10.1.1.1')).toBe(false);
    expect(() => loadConfig({ MAINTENANCE_PAGE_ALLOWED_HOSTS: '10.0.0.0/99' })).toThrow(
      'MAINTENANCE_PAGE_ALLOWED_HOSTS: "10.0.0.0/99" is not a host name',
    );
  });

  it('runs 4 jobs at once unless JOBS_CONCURRENCY says otherwise, between 1 and 100', () => {
    expect(loadConfig({}).jobsConcurrency).toBe(4);
    expect(loadConfig({ JOBS_CONCURRENCY: '16' }).jobsConcurrency).toBe(16);
    for (const value of ['0', '101', '2.5', 'many']) {
      expect(() => loadConfig({ JOBS_CONCURRENCY: value })).toThrow(
        `JOBS_CONCURRENCY must be an integer between 1 and 100, got "${value}"`,
      );
    }
  });

  it('allows https drains to public hosts, 5 per app, unless the operator says more', () => {
    const defaults = loadConfig({}).logDrains;
    expect(defaults).toMatchObject({ allowHttp: false, perApp: 5 });
    expect(defaults.allowList.allowsHost('127.0.0.1')).toBe(false);
    const config = loadConfig({
      LOG_DRAINS_ALLOW_HTTP: 'true',
      LOG_DRAINS_PER_APP: '2',
      LOG_DRAIN_ALLOWED_HOSTS: 'logs.internal, 127.0.0.1',
    }).logDrains;
    expect(config).toMatchObject({ allowHttp: true, perApp: 2 });
    expect(config.allowList.allowsHost('logs.internal')).toBe(true);
    expect(config.allowList.allowsAddress('127.0.0.1')).toBe(true);
    expect(() => loadConfig({ LOG_DRAIN_ALLOWED_HOSTS: 'not a host' })).toThrow(
      'LOG_DRAIN_ALLOWED_HOSTS: "not a host" is not a host name',
    );
    expect(() => loadConfig({ LOG_DRAINS_ALLOW_HTTP: 'sometimes' })).toThrow(
      'LOG_DRAINS_ALLOW_HTTP must be true or false',
    );
  });

  it('refuses to boot on bad values and names every problem', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DRYDOCK_ENCRYPTION_KEY: 'short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('trusts no proxy unless told which, and refuses to trust every one', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
    for (const value of ['true', '10.0.0.300', 'proxy.example.com']) {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    }
  });

  it('takes the rate limits from the environment', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimitRequestsPerHour: 4500,
      rateLimitAuthFailuresPerMinute: 30,
      watchStreamsPerToken: 20,
    });
    expect(loadConfig({ RATE_LIMIT_REQUESTS_PER_HOUR: '100' }).rateLimitRequestsPerHour).toBe(100);
    expect(() => loadConfig({ RATE_LIMIT_REQUESTS_PER_HOUR: '0' })).toThrow(
      /RATE_LIMIT_REQUESTS_PER_HOUR/,
    );
  });

  it('reads previous encryption keys, comma separated, hex or base64', () => {
    const base64 = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      DRYDOCK_ENCRYPTION_KEY: 'ab'.repeat(32),
      DRYDOCK_ENCRYPTION_KEYS_PREVIOUS: ` ${'cd'.repeat(32)}, ${base64} ,`,
    });
    expect(config.previousEncryptionKeys).toEqual([Buffer.alloc(32, 0xcd), Buffer.alloc(32, 7)]);
    expect(loadConfig({}).previousEncryptionKeys).toEqual([]);
    expect(() =>
      loadConfig({ DRYDOCK_ENCRYPTION_KEYS_PREVIOUS: `${'cd'.repeat(32)},nope` }),
    ).toThrow('DRYDOCK_ENCRYPTION_KEYS_PREVIOUS entry 2 must be 32 bytes');
  });

  it('refuses placeholder and short tokens, and a router token equal to the admin token', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ DRYDOCK_ADMIN_TOKEN: 'change-me-to-a-long-random-token' })).toEqual([
      'DRYDOCK_ADMIN_TOKEN is a placeholder, not a secret: set it to a random value, e.g. `openssl rand -hex 32`',
    ]);
    expect(problems({ DRYDOCK_ROUTER_TOKEN: 'sixteen-chars-ok' })).toEqual([
      'DRYDOCK_ROUTER_TOKEN must be at least 32 characters long: set it to a random value, e.g. `openssl rand -hex 32`',
    ]);
    const token = 'f3a1c9e07b5d2468ace13579bdf02468ace13579';
    expect(problems({ DRYDOCK_ADMIN_TOKEN: token, DRYDOCK_ROUTER_TOKEN: token })).toEqual([
      'DRYDOCK_ROUTER_TOKEN must differ from DRYDOCK_ADMIN_TOKEN',
    ]);
    expect(problems({ DRYDOCK_ROUTER_TOKEN: token, DRYDOCK_DYNO_MANAGER_TOKEN: token })).toEqual([
      'DRYDOCK_DYNO_MANAGER_TOKEN must differ from DRYDOCK_ROUTER_TOKEN',
    ]);
    expect(loadConfig({ DRYDOCK_ROUTER_TOKEN: token }).routerToken).toBe(token);
    expect(loadConfig({ DRYDOCK_DYNO_MANAGER_TOKEN: token }).dynoManagerToken).toBe(token);
  });
});
