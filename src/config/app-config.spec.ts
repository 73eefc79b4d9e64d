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

  it('reads the hosts MAINTENANCE_PAGE_URL may name inside the network, and refuses bad entries', () => {
    const config = loadConfig({ MAINTENANCE_PAGE_ALLOWED_HOSTS: 'pages.internal,10.0.0.0/8' });
    expect(config.maintenancePageAllowList.allowsHost('pages.internal')).toBe(true);
    expect(config.maintenancePageAllowList.allowsHost('10.1.1.1')).toBe(true);
    expect(loadConfig({}).maintenancePageAllowList.allowsHost('10.1.1.1')).toBe(false);
    expect(() => loadConfig({ MAINTENANCE_PAGE_ALLOWED_HOSTS: '10.0.0.0/99' })).toThrow(
      'MAINTENANCE_PAGE_ALLOWED_HOSTS: "10.0.0.0/99" is not a host name',
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
});
