import { ComponentEnv } from '../common/http-client/component-env.js';
import { PageHostAllowList } from '../common/network/address-policy.js';

/** Everything the router reads from its environment, validated once at start. */
export interface RouterConfig {
  port: number;
  host: string;
  /** Without a trailing slash, so paths can be appended. */
  controlPlaneUrl: string;
  token: string;
  /** Where the token came from (ROUTER_TOKEN or the file), for the log; never the token. */
  tokenSource: string;
  appsDomain: string;
  maintenanceRetryAfterSeconds: number;
  maintenancePageCacheSeconds: number;
  /** All custom pages together, those being fetched included. */
  maintenancePageCacheBytes: number;
  /** Non-public hosts whose pages may be served anyway (MAINTENANCE_PAGE_ALLOWED_HOSTS). */
  maintenancePageAllowList: PageHostAllowList;
  /** Heroku's router gives an app 30 s to start its response (H12 after that). */
  requestTimeoutMs: number;
  /** Whether request lines also go to the apps' logs (ROUTER_LOG_SHIPPING). */
  logShipping: boolean;
  /** Log lines kept while the control plane is unreachable; the oldest go beyond it. */
  logBufferLines: number;
  /** Request lines a second one app's log gets; beyond it they are dropped and counted (L12). */
  logLinesPerSecond: number;
}

export class RouterConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid router configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const read = new ComponentEnv(env);
  const problems = read.problems;
  const integer = read.integer.bind(read);

  const port = integer('ROUTER_PORT', 8080, 0, 65535);
  const host = env.ROUTER_HOST || '0.0.0.0';

  const controlPlaneUrl = read.controlPlaneUrl();
  // The router's own routing token; on one box, the one the API saved in the shared DATA_DIR.
  const { token, source: tokenSource } = read.token({
    variable: 'ROUTER_TOKEN',
    file: 'router-token',
    scope: 'routing',
    apiVariable: 'DRYDOCK_ROUTER_TOKEN',
  });

  const appsDomain = (env.APPS_DOMAIN || 'localhost').toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(appsDomain)) {
    problems.push('APPS_DOMAIN must be a host name such as apps.example.com');
  }

  const pageHosts = PageHostAllowList.parse(env.MAINTENANCE_PAGE_ALLOWED_HOSTS);

  const config: RouterConfig = {
    port,
    host,
    controlPlaneUrl,
    token,
    tokenSource,
    appsDomain,
    maintenanceRetryAfterSeconds: integer('MAINTENANCE_RETRY_AFTER', 60, 0, 86_400),
    maintenancePageCacheSeconds: integer('MAINTENANCE_PAGE_CACHE_SECONDS', 60, 1, 86_400),
    maintenancePageCacheBytes: integer(
      'MAINTENANCE_PAGE_CACHE_BYTES',
      16 * 1024 * 1024,
      1024 * 1024,
      1024 * 1024 * 1024,
    ),
    maintenancePageAllowList: pageHosts.allowList,
    requestTimeoutMs: integer('ROUTER_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    logShipping: read.onOff('ROUTER_LOG_SHIPPING', true),
    logBufferLines: integer('ROUTER_LOG_BUFFER_LINES', 10_000, 100, 1_000_000),
    logLinesPerSecond: integer('ROUTER_LOG_LINES_PER_SECOND', 1000, 1, 1_000_000),
  };
  problems.push(...pageHosts.problems);
  if (problems.length > 0) throw new RouterConfigError(problems);
  return config;
}
