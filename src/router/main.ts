import '../runtime/tick-object-maps.js';
import { LogShipper } from '../common/http-client/log-shipper.js';
import { redactUrl } from '../common/http-client/redact-url.js';
import { ControlPlaneClient } from './control-plane-client.js';
import { MaintenancePages } from './maintenance-pages.js';
import { PageFetcher } from './page-fetcher.js';
import { ProxyServer } from './proxy-server.js';
import { loadRouterConfig, RouterConfig, RouterConfigError } from './router-config.js';
import { RouterLog } from './router-log.js';
import { RoutingTable } from './routing-table.js';

/** How long requests in flight may finish after SIGTERM before their connections are cut. */
const SHUTDOWN_GRACE_MS = 5000;
/** Then how long the last lines of the apps' logs may take to reach the control plane. */
const LOG_SHIPPING_GRACE_MS = 2000;

/**
 * The reference router: takes the control plane's routing snapshot, follows its change
 * stream, and serves apps by Host header (maintenance page, router errors, or the web dynos).
 */
async function main(): Promise<void> {
  let config: RouterConfig;
  try {
    config = loadRouterConfig(process.env);
  } catch (error) {
    if (!(error instanceof RouterConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  // The apps' own logs (`heroku logs`): each request line of an app, as heroku[router].
  const shipper = config.logShipping
    ? new LogShipper({
        baseUrl: config.controlPlaneUrl,
        token: config.token,
        maxLines: config.logBufferLines,
        linesPerSecond: config.logLinesPerSecond,
        onLoss: ({ dropped, refused, status }) =>
          log.state('error', {
            state: 'log-lines-dropped',
            dropped,
            refused: refused || undefined,
            status,
          }),
        onRetry: (error, retryInMs) =>
          log.state('error', { state: 'log-shipping-failed', error, retry_in: `${retryInMs}ms` }),
      })
    : undefined;
  const log = new RouterLog(process.stdout, process.stderr, shipper);
  const table = new RoutingTable(config.appsDomain);
  const pages = new MaintenancePages({
    fetcher: new PageFetcher({ allowList: config.maintenancePageAllowList }),
    cacheSeconds: config.maintenancePageCacheSeconds,
    cacheBytes: config.maintenancePageCacheBytes,
    onFetchError: (url, reason) =>
      log.state('error', { state: 'maintenance-page-failed', url, error: reason }),
  });
  const client = new ControlPlaneClient({
    baseUrl: config.controlPlaneUrl,
    token: config.token,
    table,
    log: (at, fields) => log.state(at, fields),
    onRoutes: (routes) => {
      for (const route of routes) {
        if (route.mode === 'maintenance' && route.maintenancePageUrl)
          pages.warm(route.maintenancePageUrl);
      }
    },
  });
  const proxy = new ProxyServer({
    table,
    pages,
    log,
    retryAfterSeconds: config.maintenanceRetryAfterSeconds,
    requestTimeoutMs: config.requestTimeoutMs,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.state('info', { state: 'stopping', signal });
    await Promise.all([
      client.stop(),
      proxy.server.listening ? proxy.close(SHUTDOWN_GRACE_MS) : undefined,
    ]);
    log.flush();
    await shipper?.stop(LOG_SHIPPING_GRACE_MS);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  log.state('info', {
    state: 'starting',
    control_plane: redactUrl(config.controlPlaneUrl),
    token_from: config.tokenSource,
    log_shipping: config.logShipping ? 'on' : 'off',
  });
  // Serving before the first snapshot would answer 404 for every app: wait for it.
  if (!(await client.start())) return;
  try {
    const port = await proxy.listen(config.port, config.host);
    log.state('info', {
      state: 'listening',
      host: config.host,
      port,
      apps_domain: config.appsDomain,
    });
  } catch (error) {
    log.state('error', {
      state: 'listen-failed',
      error: error instanceof Error ? error.message : String(error),
    });
    await client.stop();
    process.exit(1);
  }
}

void main();
