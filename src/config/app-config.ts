import path from 'node:path';
import { PageHostAllowList } from '../common/network/address-policy.js';

/** Everything the service reads from its environment, validated once at boot. */
export interface AppConfig {
  port: number;
  host: string;
  /** Unset means: start the embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  migrateOnBoot: boolean;
  adminToken: string | undefined;
  /** 32-byte key for config var encryption; unset means one kept in dataDir. */
  encryptionKey: Buffer | undefined;
  appsDomain: string;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  /** How often watch streams send a comment line, so proxies keep them open. */
  watchHeartbeatSeconds: number;
  /** Events older than this leave the change log (a watcher asking for them gets 410). */
  eventsRetentionDays: number;
  /** Non-public hosts MAINTENANCE_PAGE_URL may name (MAINTENANCE_PAGE_ALLOWED_HOSTS, as routers read it). */
  maintenancePageAllowList: PageHostAllowList;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${env[name]}"`);
    return fallback;
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const adminToken = env.DRYDOCK_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push('DRYDOCK_ADMIN_TOKEN must be at least 16 characters long');
  }

  let encryptionKey: Buffer | undefined;
  if (env.DRYDOCK_ENCRYPTION_KEY) {
    encryptionKey = parseEncryptionKey(env.DRYDOCK_ENCRYPTION_KEY);
    if (!encryptionKey) {
      problems.push('DRYDOCK_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64');
    }
  }

  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const appsDomain = (env.APPS_DOMAIN || 'localhost').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(appsDomain)) {
    problems.push('APPS_DOMAIN must be a host name such as apps.example.com');
  }

  const pageHosts = PageHostAllowList.parse(env.MAINTENANCE_PAGE_ALLOWED_HOSTS);
  problems.push(...pageHosts.problems);

  const config: AppConfig = {
    port: integer('PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    migrateOnBoot: boolean('MIGRATE_ON_BOOT', true),
    adminToken,
    encryptionKey,
    appsDomain,
    logLevel,
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    watchHeartbeatSeconds: integer('WATCH_HEARTBEAT_SECONDS', 15, 1, 300),
    eventsRetentionDays: integer('EVENTS_RETENTION_DAYS', 30, 1, 3650),
    maintenancePageAllowList: pageHosts.allowList,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export function parseEncryptionKey(raw: string): Buffer | undefined {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  return key.length === 32 ? key : undefined;
}
