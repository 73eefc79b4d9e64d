import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir.endsWith('.data')).toBe(true);
    expect(config.migrateOnBoot).toBe(true);
    expect(config.appsDomain).toBe('localhost');
  });

  it('reads MIGRATE_ON_BOOT=false and a hex encryption key', () => {
    const config = loadConfig({
      MIGRATE_ON_BOOT: 'false',
      DRYDOCK_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    expect(config.migrateOnBoot).toBe(false);
    expect(config.encryptionKey?.length).toBe(32);
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
});
