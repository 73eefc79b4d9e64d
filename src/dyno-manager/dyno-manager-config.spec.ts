import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynoManagerConfigError, loadDynoManagerConfig } from './dyno-manager-config.js';

describe('loadDynoManagerConfig', () => {
  it('has defaults for everything but the token', () => {
    expect(loadDynoManagerConfig({ DYNO_MANAGER_TOKEN: 'drydock_dm' })).toEqual({
      controlPlaneUrl: 'http://127.0.0.1:3000',
      token: 'drydock_dm',
      tokenSource: 'DYNO_MANAGER_TOKEN',
      dir: path.resolve('.data/dyno-manager'),
      name: os.hostname(),
      dynoHost: '127.0.0.1',
      rendezvousHost: '127.0.0.1',
      rendezvousBind: '127.0.0.1',
      rendezvousPort: 5001,
      stopTimeoutMs: 30_000,
      bootTimeoutMs: 60_000,
      crashCooldownMs: 60_000,
      logLevel: 'info',
      logFormat: 'auto',
      logShipping: true,
      logBufferLines: 10_000,
      logLinesPerSecond: 1000,
    });
  });

  it('takes DYNO_MANAGER_TOKEN, else DATA_DIR/dyno-manager-token, else the admin token', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-dm-config-'));
    try {
      const empty = { DATA_DIR: dataDir };
      expect(loadDynoManagerConfig({ ...empty, DRYDOCK_ADMIN_TOKEN: 'admin' })).toMatchObject({
        token: 'admin',
        tokenSource: 'DRYDOCK_ADMIN_TOKEN',
      });
      const file = path.join(dataDir, 'dyno-manager-token');
      writeFileSync(file, 'drydock_saved\n');
      expect(loadDynoManagerConfig({ ...empty, DRYDOCK_ADMIN_TOKEN: 'admin' })).toMatchObject({
        token: 'drydock_saved',
        tokenSource: file,
      });
      expect(
        loadDynoManagerConfig({ ...empty, DYNO_MANAGER_TOKEN: 'dm', DRYDOCK_ADMIN_TOKEN: 'admin' }),
      ).toMatchObject({ token: 'dm', tokenSource: 'DYNO_MANAGER_TOKEN' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reads the knobs, seconds with fractions as milliseconds', () => {
    const config = loadDynoManagerConfig({
      DYNO_MANAGER_TOKEN: 't',
      CONTROL_PLANE_URL: 'https://api.example.com/',
      DYNO_MANAGER_DIR: '/var/lib/dm',
      DYNO_MANAGER_NAME: 'host-7.example',
      DYNO_HOST: '[fd00::7]',
      DYNO_MANAGER_RENDEZVOUS_PORT: '0',
      DYNO_MANAGER_STOP_TIMEOUT_SECONDS: '0.5',
      DYNO_MANAGER_BOOT_TIMEOUT_SECONDS: '3',
      DYNO_MANAGER_CRASH_COOLDOWN_SECONDS: '0.25',
      LOG_LEVEL: 'DEBUG',
      DYNO_MANAGER_LOG_SHIPPING: 'off',
      DYNO_MANAGER_LOG_BUFFER_LINES: '50000',
    });
    expect(config).toMatchObject({
      controlPlaneUrl: 'https://api.example.com',
      dir: '/var/lib/dm',
      name: 'host-7.example',
      dynoHost: '[fd00::7]',
      rendezvousHost: '[fd00::7]',
      rendezvousBind: '0.0.0.0',
      rendezvousPort: 0,
      stopTimeoutMs: 500,
      bootTimeoutMs: 3000,
      crashCooldownMs: 250,
      logLevel: 'debug',
      logShipping: false,
      logBufferLines: 50_000,
    });
  });

  it('advertises the rendezvous at DYNO_MANAGER_RENDEZVOUS_HOST, listening on loopback only for a loopback one', () => {
    expect(
      loadDynoManagerConfig({
        DYNO_MANAGER_TOKEN: 'drydock_dm',
        DYNO_HOST: 'dyno-manager',
        DYNO_MANAGER_RENDEZVOUS_HOST: 'localhost',
      }),
    ).toMatchObject({
      dynoHost: 'dyno-manager',
      rendezvousHost: 'localhost',
      rendezvousBind: '127.0.0.1',
    });
    expect(
      loadDynoManagerConfig({
        DYNO_MANAGER_TOKEN: 'drydock_dm',
        DYNO_MANAGER_RENDEZVOUS_HOST: 'localhost',
        DYNO_MANAGER_RENDEZVOUS_BIND: '0.0.0.0',
      }).rendezvousBind,
    ).toBe('0.0.0.0');
  });

  it('names every problem on its own line, without the token', () => {
    let error: unknown;
    try {
      loadDynoManagerConfig({
        DYNO_MANAGER_TOKEN: 'has space',
        CONTROL_PLANE_URL: 'ftp://x',
        DYNO_MANAGER_NAME: '../etc',
        DYNO_HOST: 'host:5000',
        DYNO_MANAGER_RENDEZVOUS_PORT: '70000',
        DYNO_MANAGER_STOP_TIMEOUT_SECONDS: '-1',
        DYNO_MANAGER_BOOT_TIMEOUT_SECONDS: '0',
        LOG_LEVEL: 'loud',
        DYNO_MANAGER_LOG_SHIPPING: 'maybe',
        DYNO_MANAGER_LOG_BUFFER_LINES: '5',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DynoManagerConfigError);
    const { problems, message } = error as DynoManagerConfigError;
    expect(problems).toEqual([
      'CONTROL_PLANE_URL must be an http:// or https:// URL such as http://127.0.0.1:3000',
      'DYNO_MANAGER_TOKEN must not contain whitespace',
      'DYNO_MANAGER_NAME must be 1 to 63 letters, digits, dots, dashes or underscores (it defaults to the host name)',
      'DYNO_HOST must be a host name or an IP address (IPv6 in brackets) that routers reach dynos at',
      'LOG_LEVEL must be one of debug, info, warn, error, silent',
      'DYNO_MANAGER_RENDEZVOUS_PORT must be an integer between 0 and 65535, got "70000"',
      'DYNO_MANAGER_STOP_TIMEOUT_SECONDS must be a number of seconds between 0 and 3600, got "-1"',
      'DYNO_MANAGER_BOOT_TIMEOUT_SECONDS must be a number of seconds between 0.1 and 3600, got "0"',
      'DYNO_MANAGER_LOG_SHIPPING must be on or off, got "maybe"',
      'DYNO_MANAGER_LOG_BUFFER_LINES must be an integer between 100 and 1000000, got "5"',
    ]);
    expect(message).not.toContain('has space');
    expect(message.split('\n')).toHaveLength(problems.length + 1);
  });

  it('requires a token', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-dm-config-'));
    try {
      expect(() => loadDynoManagerConfig({ DATA_DIR: dataDir })).toThrow(
        `DYNO_MANAGER_TOKEN is required (a token with the dyno-manager scope), or ${dataDir}/dyno-manager-token, which the API writes on its first start when DRYDOCK_DYNO_MANAGER_TOKEN is unset, or DRYDOCK_ADMIN_TOKEN`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
