import os from 'node:os';
import path from 'node:path';
import { ComponentEnv } from '../common/http-client/component-env.js';
import {
  LOG_FORMATS,
  LOG_LEVELS,
  LogFormat,
  LogLevel,
  parseLogFormat,
} from '../common/logging/logger.js';

/** Everything the dyno manager reads from its environment, validated once at start. */
export interface DynoManagerConfig {
  /** Without a trailing slash, so paths can be appended. */
  controlPlaneUrl: string;
  token: string;
  /** Where the token came from (a variable or the file), for the log; never the token. */
  tokenSource: string;
  /** Absolute: dynos, slugs and the process state file live under it. */
  dir: string;
  name: string;
  /** The address routers reach dynos at. */
  dynoHost: string;
  /** The address `heroku run` reaches the rendezvous at (default DYNO_HOST); its certificate names it. */
  rendezvousHost: string;
  /** Where the rendezvous listens: loopback when it is advertised on loopback, else every interface. */
  rendezvousBind: string;
  /** 0: any free port. */
  rendezvousPort: number;
  /** SIGTERM to SIGKILL, as Heroku's 30 s. */
  stopTimeoutMs: number;
  /** How long a web dyno has to bind its PORT, as Heroku's 60 s (R10 after that). */
  bootTimeoutMs: number;
  /** The cooldown before a formation dyno's second restart after crashes; it doubles after. */
  crashCooldownMs: number;
  logLevel: LogLevel;
  /** LOG_FORMAT: json, pretty, or auto (pretty when stdout is a terminal). */
  logFormat: LogFormat;
  /** Whether the dynos' output and Heroku's lines about them go to the apps' logs. */
  logShipping: boolean;
  /** Log lines kept while the control plane is unreachable; the oldest go beyond it. */
  logBufferLines: number;
  /** Lines a second one dyno's output may send; beyond it they are dropped and counted (L12). */
  logLinesPerSecond: number;
}

export class DynoManagerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid dyno manager configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

// A host name or IPv4 address, or an IPv6 address in brackets: what `address` accepts.
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;

export function loadDynoManagerConfig(env: NodeJS.ProcessEnv = process.env): DynoManagerConfig {
  const read = new ComponentEnv(env);
  const problems = read.problems;
  const integer = read.integer.bind(read);
  const seconds = read.seconds.bind(read);
  const controlPlaneUrl = read.controlPlaneUrl();
  // Its own dyno-manager token; on one box, the one the API saved in the shared DATA_DIR;
  // else an admin's, as a newcomer has one at hand.
  const { token, source: tokenSource } = read.token({
    variable: 'DYNO_MANAGER_TOKEN',
    file: 'dyno-manager-token',
    scope: 'dyno-manager',
    fallbackVariable: 'DRYDOCK_ADMIN_TOKEN',
    apiVariable: 'DRYDOCK_DYNO_MANAGER_TOKEN',
  });

  const name = env.DYNO_MANAGER_NAME || os.hostname();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    problems.push(
      'DYNO_MANAGER_NAME must be 1 to 63 letters, digits, dots, dashes or underscores (it defaults to the host name)',
    );
  }

  const dynoHost = env.DYNO_HOST || '127.0.0.1';
  if (!HOST.test(dynoHost)) {
    problems.push(
      'DYNO_HOST must be a host name or an IP address (IPv6 in brackets) that routers reach dynos at',
    );
  }

  const rendezvousHost = env.DYNO_MANAGER_RENDEZVOUS_HOST || dynoHost;
  if (env.DYNO_MANAGER_RENDEZVOUS_HOST && !HOST.test(rendezvousHost)) {
    problems.push(
      'DYNO_MANAGER_RENDEZVOUS_HOST must be a host name or an IP address that `heroku run` reaches the dyno manager at',
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(rendezvousHost.toLowerCase());
  const rendezvousBind = env.DYNO_MANAGER_RENDEZVOUS_BIND || (loopback ? '127.0.0.1' : '0.0.0.0');

  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = parseLogFormat(env.LOG_FORMAT);
  if (!logFormat) problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}`);

  const config: DynoManagerConfig = {
    controlPlaneUrl,
    token,
    tokenSource,
    dir: path.resolve(env.DYNO_MANAGER_DIR || path.join('.data', 'dyno-manager')),
    name,
    dynoHost,
    rendezvousHost,
    rendezvousBind,
    rendezvousPort: integer('DYNO_MANAGER_RENDEZVOUS_PORT', 5001, 0, 65535),
    stopTimeoutMs: seconds('DYNO_MANAGER_STOP_TIMEOUT_SECONDS', 30, 0, 3600),
    bootTimeoutMs: seconds('DYNO_MANAGER_BOOT_TIMEOUT_SECONDS', 60, 0.1, 3600),
    crashCooldownMs: seconds('DYNO_MANAGER_CRASH_COOLDOWN_SECONDS', 60, 0, 1200),
    logLevel,
    logFormat: logFormat ?? 'auto',
    logShipping: read.onOff('DYNO_MANAGER_LOG_SHIPPING', true),
    logBufferLines: integer('DYNO_MANAGER_LOG_BUFFER_LINES', 10_000, 100, 1_000_000),
    logLinesPerSecond: integer('DYNO_MANAGER_LOG_LINES_PER_SECOND', 1000, 1, 1_000_000),
  };
  if (problems.length > 0) throw new DynoManagerConfigError(problems);
  return config;
}
