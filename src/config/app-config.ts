import {
  LOG_FORMATS,
  LOG_LEVELS,
  LogFormat,
  LogLevel,
  parseLogFormat,
} from '../common/logging/logger.js';
import proxyAddr from '@fastify/proxy-addr';
import path from 'node:path';
import { StartupError } from '../common/errors/startup-error.js';
import { weakTokenProblem } from './token-strength.js';
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
  /** A routing token for the router; unset means one generated into dataDir/router-token. */
  routerToken: string | undefined;
  /** DRYDOCK_DYNO_MANAGER_TOKEN: the dyno manager's token, else one generated into DATA_DIR. */
  dynoManagerToken: string | undefined;
  /** 32-byte key sealing secrets at rest; unset means one kept in dataDir. */
  encryptionKey: Buffer | undefined;
  /** Keys being rotated out: still read, never written with. */
  previousEncryptionKeys: Buffer[];
  appsDomain: string;
  logLevel: LogLevel;
  /** LOG_FORMAT: json, pretty, or auto (pretty when stdout is a terminal). */
  logFormat: LogFormat;
  bodyLimitBytes: number;
  /** How often watch streams send a comment line, so proxies keep them open. */
  watchHeartbeatSeconds: number;
  /** Log lines older than this are neither shown nor kept (besides the 1,500 per app). */
  logRetentionHours: number;
  /** Events older than this leave the change log (a watcher asking for them gets 410). */
  eventsRetentionDays: number;
  /** Platform API requests per account an hour, refilled continuously (Heroku: 4,500). */
  rateLimitRequestsPerHour: number;
  /** Machine API requests (routing, scheduler, dyno manager) a second, per machine token. */
  rateLimitMachineRequestsPerSecond: number;
  /** Failed authentications a minute per client address before it gets 429. */
  rateLimitAuthFailuresPerMinute: number;
  /** Watch streams one token may hold open at once. */
  watchStreamsPerToken: number;
  /** Proxies whose X-Forwarded-For names the client (addresses, CIDRs, loopback, ...); false: none. */
  trustProxy: string[] | false;
  /** Non-public hosts MAINTENANCE_PAGE_URL may name (MAINTENANCE_PAGE_ALLOWED_HOSTS, as routers read it). */
  maintenancePageAllowList: PageHostAllowList;
  /** Background jobs (log drain deliveries, pruning) this replica runs at once. */
  jobsConcurrency: number;
  /** How often an idle job worker looks for jobs that came due (scheduled windows, retries). */
  jobsPollIntervalMs: number;
  /** The longest maintenance window that may be scheduled (MAINTENANCE_WINDOW_MAX_HOURS). */
  maintenanceWindowMaxSeconds: number;
  logDrains: LogDrainLimits;
  database: DatabaseLimits;
  /**
   * The API's own address as clients reach it (PUBLIC_URL), for the URLs it hands out
   * (slug blobs); unset: each request's protocol and host.
   */
  publicUrl: string | undefined;
  /** The largest slug archive taken, compressed (Heroku: 500 MB). */
  slugMaxBytes: number;
  /** How long a slug's upload and download URLs work. */
  slugUrlTtlSeconds: number;
}

/** What apps may drain their logs to, and how many drains each may have. */
export interface LogDrainLimits {
  /** Non-public hosts a drain URL may name and reach (LOG_DRAIN_ALLOWED_HOSTS). */
  allowList: PageHostAllowList;
  /** Plain http:// drains, which send logs and their credentials unencrypted. */
  allowHttp: boolean;
  perApp: number;
}

/** Every wait on PostgreSQL is bounded, so an outage gets a fast 503 instead of a hang. */
export interface DatabaseLimits {
  poolSize: number;
  connectTimeoutMs: number;
  /** The longest any one statement may run (lock waits included). */
  statementTimeoutMs: number;
}

export class ConfigError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * The encryption key, which the app resolves (from the environment or DATA_DIR) before it
 * builds any module: what seals secrets and signs URLs is derived from it.
 */
export function encryptionKeyOf(config: AppConfig): Buffer {
  if (!config.encryptionKey)
    throw new Error('The encryption key must be resolved before the app starts');
  return config.encryptionKey;
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

  const token = (name: string): string | undefined => {
    const value = env[name] || undefined;
    const problem = value === undefined ? undefined : weakTokenProblem(name, value);
    if (problem) problems.push(problem);
    return value;
  };
  const adminToken = token('DRYDOCK_ADMIN_TOKEN');
  const routerToken = token('DRYDOCK_ROUTER_TOKEN');
  const dynoManagerToken = token('DRYDOCK_DYNO_MANAGER_TOKEN');
  const tokens = [
    ['DRYDOCK_ADMIN_TOKEN', adminToken],
    ['DRYDOCK_ROUTER_TOKEN', routerToken],
    ['DRYDOCK_DYNO_MANAGER_TOKEN', dynoManagerToken],
  ] as const;
  tokens.forEach(([name, value], i) => {
    const same = tokens.slice(0, i).find(([, earlier]) => value !== undefined && earlier === value);
    if (same) problems.push(`${name} must differ from ${same[0]}`);
  });

  let encryptionKey: Buffer | undefined;
  if (env.DRYDOCK_ENCRYPTION_KEY) {
    encryptionKey = parseEncryptionKey(env.DRYDOCK_ENCRYPTION_KEY);
    if (!encryptionKey) {
      problems.push('DRYDOCK_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64');
    }
  }
  const previousEncryptionKeys = (env.DRYDOCK_ENCRYPTION_KEYS_PREVIOUS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((raw, index) => {
      const key = parseEncryptionKey(raw);
      if (!key) {
        problems.push(
          `DRYDOCK_ENCRYPTION_KEYS_PREVIOUS entry ${index + 1} must be 32 bytes, as 64 hex characters or base64`,
        );
      }
      return key ? [key] : [];
    });

  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = parseLogFormat(env.LOG_FORMAT);
  if (!logFormat) problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}`);

  const appsDomain = (env.APPS_DOMAIN || 'localhost').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(appsDomain)) {
    problems.push('APPS_DOMAIN must be a host name such as apps.example.com');
  }

  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  if (trustProxy === undefined) {
    problems.push(
      'TRUST_PROXY must be false or a comma-separated list of proxy addresses or CIDRs (or loopback, linklocal, uniquelocal); ' +
        '"true" would let any client choose its address with X-Forwarded-For',
    );
  }
  const publicUrl = parsePublicUrl(env.PUBLIC_URL);
  if (publicUrl === null) {
    problems.push(
      'PUBLIC_URL must be an http:// or https:// URL without query or fragment, such as https://drydock.example.com',
    );
  }
  const pageHosts = PageHostAllowList.parse(env.MAINTENANCE_PAGE_ALLOWED_HOSTS);
  problems.push(...pageHosts.problems);
  const drainHosts = PageHostAllowList.parse(
    env.LOG_DRAIN_ALLOWED_HOSTS,
    'LOG_DRAIN_ALLOWED_HOSTS',
  );
  problems.push(...drainHosts.problems);

  const config: AppConfig = {
    port: integer('PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    migrateOnBoot: boolean('MIGRATE_ON_BOOT', true),
    adminToken,
    routerToken,
    dynoManagerToken,
    encryptionKey,
    previousEncryptionKeys,
    appsDomain,
    logLevel,
    logFormat: logFormat ?? 'auto',
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    watchHeartbeatSeconds: integer('WATCH_HEARTBEAT_SECONDS', 15, 1, 300),
    eventsRetentionDays: integer('EVENTS_RETENTION_DAYS', 30, 1, 3650),
    logRetentionHours: integer('LOG_RETENTION_HOURS', 168, 1, 24 * 365),
    rateLimitRequestsPerHour: integer('RATE_LIMIT_REQUESTS_PER_HOUR', 4500, 1, 1_000_000_000),
    rateLimitMachineRequestsPerSecond: integer(
      'RATE_LIMIT_MACHINE_REQUESTS_PER_SECOND',
      10_000,
      1,
      100_000_000,
    ),
    rateLimitAuthFailuresPerMinute: integer(
      'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE',
      30,
      1,
      1_000_000,
    ),
    watchStreamsPerToken: integer('WATCH_STREAMS_PER_TOKEN', 20, 1, 100_000),
    trustProxy: trustProxy ?? false,
    database: {
      poolSize: integer('DATABASE_POOL_SIZE', 20, 1, 1000),
      connectTimeoutMs: integer('DATABASE_CONNECT_TIMEOUT_SECONDS', 3, 1, 300) * 1000,
      statementTimeoutMs: integer('DATABASE_STATEMENT_TIMEOUT_SECONDS', 5, 1, 3600) * 1000,
    },
    maintenancePageAllowList: pageHosts.allowList,
    jobsConcurrency: integer('JOBS_CONCURRENCY', 4, 1, 100),
    jobsPollIntervalMs: integer('JOBS_POLL_INTERVAL_MS', 500, 50, 60_000),
    maintenanceWindowMaxSeconds: integer('MAINTENANCE_WINDOW_MAX_HOURS', 72, 1, 24 * 31) * 3600,
    logDrains: {
      allowList: drainHosts.allowList,
      allowHttp: boolean('LOG_DRAINS_ALLOW_HTTP', false),
      perApp: integer('LOG_DRAINS_PER_APP', 5, 1, 100),
    },
    publicUrl: publicUrl ?? undefined,
    slugMaxBytes: integer('SLUG_MAX_BYTES', 500 * 1024 * 1024, 1024, 10 * 1024 * 1024 * 1024),
    slugUrlTtlSeconds: integer('SLUG_URL_TTL_SECONDS', 3600, 1, 7 * 24 * 3600),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** TRUST_PROXY: false, or the proxies to believe; undefined when malformed. */
export function parseTrustProxy(raw: string | undefined): string[] | false | undefined {
  if (raw === undefined || raw.trim() === '' || raw.trim().toLowerCase() === 'false') return false;
  const entries = raw.split(',').map((entry) => entry.trim());
  try {
    proxyAddr.compile(entries);
  } catch {
    return undefined;
  }
  return entries;
}

/** PUBLIC_URL without its trailing slashes; undefined when unset, null when malformed. */
export function parsePublicUrl(raw: string | undefined): string | undefined | null {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash) return null;
  if (url.username || url.password) return null;
  return url.toString().replace(/\/+$/, '');
}

export function parseEncryptionKey(raw: string): Buffer | undefined {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  return key.length === 32 ? key : undefined;
}
